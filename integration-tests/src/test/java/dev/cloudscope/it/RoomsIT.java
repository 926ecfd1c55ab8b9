package dev.cloudscope.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
 * A chat room on {@code /chat} of the real server jar, with members of every kind at once: two Node
 * socket.io-client 4.8.1 clients and one 2.5.0 client ({@code node client.js v4|v2 URL room ROOM NAME}) and the real
 * CLI ({@code cloudscope room ROOM URL --name NAME}). Each sends numbered lines on its stdin once every member has
 * joined; each prints every other member's lines exactly once, in the order that member sent them, and none of its
 * own; stdin closed once everyone has everything, each leaves and exits 0, and the server's live-connection count
 * (GET /debug/connections) returns to 0.
 */
class RoomsIT {

    private static final String ROOM = "it-room";
    private static final int LINES = 6;
    private static final Pattern JOINED = Pattern.compile("^joined " + ROOM + " as (\\S+) \\((\\d+) members?\\)");

    @TempDir
    Path dir;

    @Test
    void membersOfEveryKindPrintEveryOtherMembersLinesOnceInTheOrderTheyWereSentAndNoneOfTheirOwn() {
        Trace trace = new Trace(dir);
        try (ServerProcess server = ServerProcess.start(dir, trace, FreePort.next(), List.of("-Dio.debugEndpoint=true"))) {
            assertThat(server.debugConnections()).as("live connections before the room").isZero();
            String chat = server.url("/chat");
            List<RoomMember> members = new ArrayList<>();
            try {
                members.add(RoomMember.start(dir, "ann", node("v4", chat, "ann")));
                members.add(RoomMember.start(dir, "bob", node("v4", chat, "bob")));
                members.add(RoomMember.start(dir, "cat", node("v2", chat, "cat")));
                // a URL without a path: the CLI's room is on /chat all the same
                members.add(RoomMember.start(dir, "dan", cli(server.url("/"), "dan")));

                // everyone in the room before anyone speaks
                await("every member joined").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                        .until(() -> members.stream().allMatch(member -> member.joinedLine() != null
                                || !member.isAlive()));
                List<Integer> counts = new ArrayList<>();
                for (RoomMember member : members) {
                    Matcher joined = JOINED.matcher(String.valueOf(member.joinedLine()));
                    assertThat(joined.find()).as("%s joined (stderr: %s)", member, member.stderr()).isTrue();
                    assertThat(joined.group(1)).isEqualTo(member.name());
                    counts.add(Integer.parseInt(joined.group(2)));
                }
                // joins ran concurrently: each saw itself and those before it; the last one counted saw everyone
                assertThat(counts).as("members each saw on joining").allSatisfy(n -> assertThat(n).isBetween(1, 4));
                assertThat(counts).as("members each saw on joining").contains(4);

                // the senders take turns line by line, so the room gets them interleaved
                for (int k = 1; k <= LINES; k++) {
                    for (RoomMember member : members) {
                        member.write(member.name() + " says " + k);
                    }
                }

                int expected = (members.size() - 1) * LINES;
                await("every member got every other member's lines").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> members.stream().allMatch(member -> member.saidLines().size() >= expected
                                || !member.isAlive()));
                members.forEach(RoomMember::closeStdin);
                for (RoomMember member : members) {
                    assertThat(member.awaitExit(Duration.ofSeconds(20)))
                            .as("%s exit code (stderr: %s)", member, member.stderr()).isZero();
                }

                for (RoomMember member : members) {
                    List<String> said = member.saidLines();
                    assertThat(said).as("what %s printed", member).hasSize(expected);
                    for (RoomMember sender : members) {
                        List<String> fromSender = said.stream().filter(line -> line.startsWith(sender.name() + ": ")).toList();
                        if (sender == member) {
                            assertThat(fromSender).as("%s printed its own lines", member).isEmpty();
                        } else {
                            assertThat(fromSender).as("what %s printed from %s", member, sender)
                                    .isEqualTo(IntStream.rangeClosed(1, LINES)
                                            .mapToObj(k -> sender.name() + ": " + sender.name() + " says " + k).toList());
                        }
                    }
                    assertThat(member.stdout()).as("%s stdout besides the room's lines", member)
                            .filteredOn(line -> !said.contains(line)).isSubsetOf(RoomMember.AUTH_REPLY);
                    assertThat(member.stderr().lines()).as("%s stderr", member).singleElement().asString()
                            .startsWith("joined " + ROOM + " as " + member.name());
                }

                await("live connections back to 0").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                        .until(() -> server.debugConnections() == 0);
            } finally {
                members.forEach(RoomMember::close);
            }

            // one disconnect! per connection that passed auth: four on /chat, and the 2.x client's on / too
            List<String> serverLines = trace.lines().stream()
                    .filter(line -> !ServerProcess.READY.matcher(line).find()).toList();
            assertThat(serverLines).as("server lines").containsOnly(Golden.DISCONNECT).hasSize(5);
            assertThat(server.terminate()).as("server exit code after SIGTERM").isZero();
            assertThat(server.stderr()).as("server stderr").isEmpty();
        }
    }

    private static List<String> node(String generation, String url, String name) {
        List<String> command = new ArrayList<>(NodeFixture.command(generation, url, "room"));
        command.addAll(List.of(ROOM, name));
        return command;
    }

    private static List<String> cli(String url, String name) {
        return List.of(Jars.java(), "-jar", Jars.cli().toString(), "room", ROOM, url, "--name", name);
    }
}
