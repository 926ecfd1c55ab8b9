package dev.cloudscope.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rooms across nodes: two real server jars ({@code cluster.redis}, nodes a and b) and one real redis-server, the
 * clients connected to each node directly (a load balancer would need sticky sessions: docs/scaling.md). A room's
 * members on either node hear every other member's lines exactly once, in the order each sent them; a Redis that
 * restarts empty mid-conversation costs no client its socket and no line; a killed node's members stop counting;
 * 2 nodes x 250 clients for 20 s lose and double nothing; and every connection and every Redis key of a member is gone
 * once they have left.
 */
class RoomsClusterIT {

    private static final Pattern JOINED = Pattern.compile("^joined (\\S+) as (\\S+) \\((\\d+) members?\\)");
    /** A member's sets in Redis (per node: its sockets, and the members of each room); its streams are not. */
    private static final String MEMBER_KEYS = "cloudscope:rooms:node:*";

    @TempDir
    Path dir;

    @Test
    void membersOnTwoNodesHearEveryOtherMembersLinesOnceInTheOrderTheyWereSent() {
        try (RedisServer redis = RedisServer.start(dir);
             ServerProcess a = node(redis, "node-a");
             ServerProcess b = node(redis, "node-b")) {
            List<RoomMember> members = new ArrayList<>();
            try {
                // each node has a Node client and a second member of another kind
                members.add(RoomMember.start(dir, "ann", nodeClient("v4", a.url("/chat"), "lobby", "ann")));
                members.add(RoomMember.start(dir, "bob", nodeClient("v4", b.url("/chat"), "lobby", "bob")));
                members.add(RoomMember.start(dir, "cat", nodeClient("v2", a.url("/chat"), "lobby", "cat")));
                assertThat(awaitJoined(members)).as("members each saw on joining")
                        .allSatisfy(n -> assertThat(n).isBetween(1, 3));
                // each node's members reach Redis through its outbox, a moment after their joins were answered
                await("three members of lobby in Redis").atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(50)).until(() -> membersInRedis(redis, "lobby").equals(":3"));
                members.add(RoomMember.start(dir, "dan", cli(b.url("/"), "lobby", "dan")));
                // the count is the room's, over both nodes
                assertThat(awaitJoined(members).get(3)).as("members dan saw on joining").isEqualTo(4);

                int lines = 8;
                for (int k = 1; k <= lines; k++) {
                    for (RoomMember member : members) {
                        member.write(member.name() + " says " + k);
                    }
                }
                awaitEveryoneHeard(members, lines);
                leave(members);
                assertEveryoneHeardExactly(members, lines);
            } finally {
                members.forEach(RoomMember::close);
            }
            assertAllGone(redis, a, b);
            assertThat(a.terminate()).isZero();
            assertThat(b.terminate()).isZero();
            assertThat(redis.command("ZCARD", "cloudscope:rooms:nodes")).as("nodes left in Redis").isEqualTo(":0");
        }
    }

    @Test
    void aRedisThatRestartsEmptyMidConversationCostsNoSocketAndNoLine() {
        try (RedisServer redis = RedisServer.start(dir);
             ServerProcess a = node(redis, "node-a");
             ServerProcess b = node(redis, "node-b")) {
            List<RoomMember> members = new ArrayList<>();
            try {
                members.add(RoomMember.start(dir, "ann", nodeClient("v4", a.url("/chat"), "ops", "ann")));
                members.add(RoomMember.start(dir, "bob", cli(b.url("/chat"), "ops", "bob")));
                awaitJoined(members);
                say(members, 1, 3);
                awaitEveryoneHeard(members, 3);

                // lines said while Redis is gone wait in their node's outbox; it comes back with nothing in it
                redis.stop();
                say(members, 4, 6);
                for (ServerProcess node : List.of(a, b)) {
                    await("node " + node.url("/") + " finds Redis gone").atMost(Duration.ofSeconds(30))
                            .pollInterval(Duration.ofMillis(100)).until(() -> node.stderr().contains("cannot write to Redis"));
                }
                redis.restart();
                say(members, 7, 9);
                awaitEveryoneHeard(members, 9);

                // the membership Redis lost is written again: a newcomer on b counts ann, on a, too
                await("ann's membership back in Redis").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .until(() -> !redis.command("KEYS", "cloudscope:rooms:node:node-a~*:/chat:in:room:ops").equals("*0"));
                members.add(RoomMember.start(dir, "cat", nodeClient("v4", b.url("/chat"), "ops", "cat")));
                assertThat(awaitJoined(members.subList(2, 3))).as("members cat saw on joining").containsExactly(3);

                leave(members);
                assertEveryoneHeardExactly(members.subList(0, 2), 9);
            } finally {
                members.forEach(RoomMember::close);
            }
            assertAllGone(redis, a, b);
            for (ServerProcess node : List.of(a, b)) {
                assertThat(node.terminate()).isZero();
                // the outage in a few lines of the node's own, nothing else
                assertThat(node.stderr().lines()).as("stderr of %s", node.url("/"))
                        .allSatisfy(line -> assertThat(line).contains("cluster: "))
                        .anySatisfy(line -> assertThat(line).contains("Redis takes this node's writes again"));
            }
        }
    }

    @Test
    void theMembersOfANodeThatDiedStopCountingOnceItsHeartbeatIsOld() {
        try (RedisServer redis = RedisServer.start(dir);
             ServerProcess a = node(redis, "node-a");
             ServerProcess b = node(redis, "node-b")) {
            List<RoomMember> members = new ArrayList<>();
            try {
                members.add(RoomMember.start(dir, "ann", nodeClient("v4", a.url("/chat"), "wake", "ann")));
                awaitJoined(members);
                // a's membership reaches Redis through its outbox, a moment after ann's join was answered
                await("ann's membership in Redis").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                        .until(() -> redis.command("KEYS", "cloudscope:rooms:node:node-a~*:/chat:in:room:wake").equals("*1"));
                members.add(RoomMember.start(dir, "bob", nodeClient("v4", b.url("/chat"), "wake", "bob")));
                assertThat(awaitJoined(members).get(1)).as("members bob saw on joining, ann on a counted").isEqualTo(2);

                a.signal("KILL"); // no disconnect, no goodbye: its keys stay in Redis
                assertThat(redis.command("KEYS", "cloudscope:rooms:node:node-a~*:/chat:in:room:wake")).isEqualTo("*1");
                // newcomers on b, one every 2 s, until one counts only bob and itself (15 s after a's last heartbeat)
                await("a newcomer no longer counts ann").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofSeconds(2))
                        .until(() -> {
                            RoomMember newcomer = RoomMember.start(dir, "cat" + members.size(),
                                    nodeClient("v4", b.url("/chat"), "wake", "cat" + members.size()));
                            members.add(newcomer);
                            int counted = awaitJoined(List.of(newcomer)).get(0);
                            newcomer.closeStdin();
                            assertThat(newcomer.awaitExit(Duration.ofSeconds(20))).isZero();
                            return counted == 2;
                        });
            } finally {
                members.forEach(RoomMember::close);
            }
        }
    }

    @Test
    void twoNodesWith250ClientsEachIn20sOfRoomsLoseNothingAndDoubleNothing() {
        try (RedisServer redis = RedisServer.start(dir);
             ServerProcess a = node(redis, "node-a");
             ServerProcess b = node(redis, "node-b")) {
            for (ServerProcess node : List.of(a, b)) {
                assertThat(node.debugConnections()).as("live connections on %s before the load", node.url("/")).isZero();
            }
            // 500 clients, alternately on a and b, in rooms of 10: each line to 9 members, 4 or 5 of them on the
            // other node; about 500 lines a second for 20 s
            NodeLoad load = NodeLoad.startRooms(dir, List.of(a.url("/"), b.url("/")), 500, 10, 20);
            NodeLoad.Result result;
            try {
                result = load.awaitResult(Duration.ofSeconds(100));
            } finally {
                load.close();
            }
            System.out.printf("RoomsClusterIT 2 x 250 clients: %s%n", result.json());
            assertThat(result.get("joined")).as("clients that joined: %s; node a's stderr: %s; node b's: %s; load's: %s",
                    result.json(), a.stderr(), b.stderr(), load.stderr()).isEqualTo(500);
            assertThat(result.get("sent")).as("lines said: %s", result.json()).isGreaterThan(500 * 15);
            assertThat(result.get("expected")).as("deliveries owed").isEqualTo(result.get("sent") * 9);
            assertThat(result.get("delivered")).as("deliveries: %s", result.json()).isEqualTo(result.get("expected"));
            assertThat(result.get("lost")).as("lost: %s", result.json()).isZero();
            assertThat(result.get("doubled")).as("doubled: %s", result.json()).isZero();
            assertThat(result.get("reordered")).as("out of order: %s", result.json()).isZero();
            assertThat(result.get("strangers") + result.get("own")).as("lines to the wrong members: %s", result.json()).isZero();
            assertThat(result.get("errors")).as("errors: %s", result.json()).isZero();
            assertThat(result.get("left")).as("leaves acked: %s", result.json()).isEqualTo(500);
            assertAllGone(redis, a, b);
            assertThat(a.terminate()).isZero();
            assertThat(b.terminate()).isZero();
            assertThat(a.stderr() + b.stderr()).as("the nodes' stderr").isEmpty();
        }
    }

    @Test
    void aRedisKeyOfOursHoldingSomethingElseStopsStartUpWithOneLine() {
        Trace trace = new Trace(dir);
        try (RedisServer redis = RedisServer.start(dir)) {
            assertThat(redis.command("SET", "cloudscope:rooms:stream:/chat", "not a stream")).isEqualTo("+OK");
            int port = FreePort.next();
            try (ServerProcess server = ServerProcess.launch(dir, trace, port, List.of("-Dcluster.redis=" + redis.url()),
                    "--port", String.valueOf(port))) {
                assertThat(server.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
                assertThat(server.stderr().lines()).singleElement().asString()
                        .startsWith("cloudscope-server: config: cluster.redis: Redis at " + redis.url()
                                + " cannot hold the rooms' streams (")
                        .contains("WRONGTYPE");
                assertThat(trace.lines()).as("the server's stdout").isEmpty();
            }
        }
    }

    /** A node in a folder of its own: its stdout (where its ready line is awaited) is not the other's. */
    @Test
    void aNodeThatCannotListenLeavesNoNodeInRedis() throws IOException {
        try (RedisServer redis = RedisServer.start(dir);
             java.net.ServerSocket taken = new java.net.ServerSocket(0, 50,
                     java.net.InetAddress.getByName("127.0.0.1"))) {
            Path nodeDir = dir.resolve("node-x");
            Files.createDirectories(nodeDir);
            int port = taken.getLocalPort();
            try (ServerProcess x = ServerProcess.launch(nodeDir, new Trace(nodeDir), port,
                    List.of("-Dcluster.redis=" + redis.url(), "-Dcluster.nodeId=node-x"), "--host", "127.0.0.1",
                    "--port", String.valueOf(port))) {
                assertThat(x.awaitExit(Duration.ofSeconds(60))).as("exit code (stderr: %s)", x.stderr()).isEqualTo(1);
            }
            // its rooms had started (a heartbeat sent): they left Redis with it, not 60 s later
            assertThat(redis.command("ZCARD", "cloudscope:rooms:nodes")).as("nodes left in Redis").isEqualTo(":0");
        }
    }

    @Test
    void aNodeStoppedWhileRedisIsSilentStillExits() {
        try (RedisServer redis = RedisServer.start(dir);
             ServerProcess a = node(redis, "node-a")) {
            RoomMember member = RoomMember.start(dir, "m1", cli(a.url("/chat"), "quiet", "m1"));
            try {
                awaitJoined(List.of(member));
                Signals.send(redis.pid(), "STOP"); // Redis takes the bytes and never answers
                member.write("m1 says 1"); // an emit the outbox cannot send
                // the close gives the outbox 5 s, Redisson's own shutdown a few more: a generous bound
                assertThat(a.terminate(Duration.ofSeconds(30))).isZero();
            } finally {
                Signals.send(redis.pid(), "CONT");
                member.close();
            }
            assertThat(a.stderr()).as("stderr of the node").contains("keys stay until another node deletes them");
        }
    }

    private ServerProcess node(RedisServer redis, String nodeId) {
        Path nodeDir = dir.resolve(nodeId);
        try {
            Files.createDirectories(nodeDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ServerProcess.start(nodeDir, new Trace(nodeDir), FreePort.next(), List.of("-Dcluster.redis=" + redis.url(),
                "-Dcluster.nodeId=" + nodeId, "-Dio.debugEndpoint=true"));
    }

    private static List<String> nodeClient(String generation, String url, String room, String name) {
        List<String> command = new ArrayList<>(NodeFixture.command(generation, url, "room"));
        command.addAll(List.of(room, name));
        return command;
    }

    private static List<String> cli(String url, String room, String name) {
        return List.of(Jars.java(), "-jar", Jars.cli().toString(), "room", room, url, "--name", name);
    }

    /** Waits for each member's "joined" line and returns the member counts they printed, in order. */
    /** The members of {@code room} on {@code /chat} that the nodes' sets in Redis hold, as Redis answers ({@code :N}). */
    private static String membersInRedis(RedisServer redis, String room) {
        return redis.command("EVAL", "local n = 0 for _, k in ipairs(redis.call('KEYS', ARGV[1])) do"
                + " n = n + redis.call('SCARD', k) end return n", "0", "cloudscope:rooms:node:*:/chat:in:room:" + room);
    }

    private static List<Integer> awaitJoined(List<RoomMember> members) {
        await("every member joined").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> members.stream().allMatch(member -> member.joinedLine() != null || !member.isAlive()));
        List<Integer> counts = new ArrayList<>();
        for (RoomMember member : members) {
            Matcher joined = JOINED.matcher(String.valueOf(member.joinedLine()));
            assertThat(joined.find()).as("%s joined (stderr: %s)", member, member.stderr()).isTrue();
            assertThat(joined.group(2)).isEqualTo(member.name());
            counts.add(Integer.parseInt(joined.group(3)));
        }
        return counts;
    }

    /** Lines {@code from}..{@code to}, the members taking turns line by line. */
    private static void say(List<RoomMember> members, int from, int to) {
        for (int k = from; k <= to; k++) {
            for (RoomMember member : members) {
                member.write(member.name() + " says " + k);
            }
        }
    }

    private static void awaitEveryoneHeard(List<RoomMember> members, int lines) {
        int expected = (members.size() - 1) * lines;
        await("every member heard every other member's " + lines + " lines").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> members.stream().allMatch(member -> member.saidLines().size() >= expected || !member.isAlive()));
    }

    /** Closes their stdin: each leaves the room and exits 0, having kept its one connection all along. */
    private static void leave(List<RoomMember> members) {
        members.forEach(RoomMember::closeStdin);
        for (RoomMember member : members) {
            assertThat(member.awaitExit(Duration.ofSeconds(20))).as("%s exit code (stderr: %s)", member, member.stderr())
                    .isZero();
            assertThat(member.stderr().lines()).as("%s stderr", member).singleElement().asString().startsWith("joined ");
        }
    }

    /** Each member printed exactly each other member's lines 1..{@code lines}, in order, and none of its own. */
    private static void assertEveryoneHeardExactly(List<RoomMember> members, int lines) {
        for (RoomMember member : members) {
            assertThat(member.heardFrom(member)).as("what %s printed of its own", member).isEmpty();
            for (RoomMember sender : members) {
                if (sender != member) {
                    assertThat(member.heardFrom(sender)).as("what %s printed from %s", member, sender)
                            .isEqualTo(IntStream.rangeClosed(1, lines).mapToObj(k -> sender.name() + " says " + k).toList());
                }
            }
            assertThat(member.saidLines()).as("what %s printed", member).hasSize((members.size() - 1) * lines);
        }
    }

    /** Both nodes' live connections back to 0, and no member's key left in Redis (netty-socketio #1026 kept them). */
    private static void assertAllGone(RedisServer redis, ServerProcess... nodes) {
        for (ServerProcess node : nodes) {
            await("live connections back to 0 on " + node.url("/")).atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(100)).until(() -> node.debugConnections() == 0);
        }
        await("no member's key left in Redis").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> redis.command("KEYS", MEMBER_KEYS).equals("*0"));
    }
}
