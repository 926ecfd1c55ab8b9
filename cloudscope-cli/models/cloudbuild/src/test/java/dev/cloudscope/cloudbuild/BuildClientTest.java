package dev.cloudscope.cloudbuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cloudscope.cloudbuild.BuildClientException.Kind;
import dev.cloudscope.protocol.BuildEvents;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link BuildClient} against {@link FakeBuildServer}: requests, following across lost connections, stopping. */
class BuildClientTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static FakeBuildServer server;
    private BuildClient client;

    @BeforeAll
    static void start() {
        server = new FakeBuildServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void connect() throws InterruptedException {
        server.pageSize = 1000;
        server.dropAfter = 0;
        server.resend = 0;
        server.mute = false;
        server.drainLog();
        client = BuildClient.create(URI.create(server.url()), FakeBuildServer.TOKEN, TIMEOUT);
        client.connect();
    }

    @AfterEach
    void close() {
        client.close();
        server.mute = false;
    }

    /** Records what a follow hands over. */
    private static final class Recorder implements BuildClient.Follower {
        final List<BuildEntry> entries = new CopyOnWriteArrayList<>();
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void entry(BuildEntry entry) {
            entries.add(entry);
        }

        @Override
        public void connectionLost(String reason) {
            events.add("lost after " + entries.size());
        }

        @Override
        public void reconnected() {
            events.add("reconnected");
        }

        List<Long> seqs() {
            return entries.stream().map(BuildEntry::seq).collect(Collectors.toList());
        }
    }

    private static List<Long> oneTo(long n) {
        return LongStream.rangeClosed(1, n).boxed().collect(Collectors.toList());
    }

    @Test
    void theBuildNamespaceIsAddedToTheServersAddress() {
        assertThat(BuildClient.buildUrl(URI.create("http://h:7001"))).hasToString("http://h:7001/build");
        assertThat(BuildClient.buildUrl(URI.create("http://h:7001/"))).hasToString("http://h:7001/build");
        assertThat(BuildClient.buildUrl(URI.create("https://h/build"))).hasToString("https://h/build");
        assertThat(BuildClient.buildUrl(URI.create("http://h:1?x=a%20b"))).hasToString("http://h:1/build?x=a%20b");
        assertThatThrownBy(() -> BuildClient.buildUrl(URI.create("http://h:7001/chat")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has a path (/chat)");
    }

    @Test
    void requestsAreAnsweredAsTheContractSays() throws InterruptedException {
        String id = client.build("lines:2", "main", null);
        client.detach(id);
        JSONObject status = client.status(id);
        JSONObject cancel = client.cancel(id);
        List<JSONObject> list = client.list();

        assertThat(id).matches("\\d{14}-[0-9a-f]{6}");
        assertThat(status.optString("status")).isEqualTo("SUCCESS");
        assertThat(cancel.optString("status")).isEqualTo("CANCELLED");
        assertThat(list).extracting(o -> o.optString("id")).contains(id);
        assertThat(server.drainLog()).containsExactly("build lines:2 main null", "detach " + id, "status " + id,
                "cancel " + id, "list");
        client.build("lines:1", "dev", "npm run site");
        assertThat(server.drainLog()).containsExactly("build lines:1 dev npm run site");
    }

    @Test
    void aRefusalIsTheServersReason() {
        assertThatThrownBy(() -> client.build("https://x/y.git", "main", null))
                .isInstanceOf(BuildClientException.class)
                .hasMessage("repo: scheme not allowed")
                .extracting(e -> ((BuildClientException) e).kind()).isEqualTo(Kind.REFUSED);
        assertThatThrownBy(() -> client.status("20261130021833-3fa9c1")).hasMessage("id: no such build");
        assertThatThrownBy(() -> client.follow("20261130021833-3fa9c1", 0, new Recorder(), true))
                .hasMessage("id: no such build");
    }

    @Test
    void followsPageByPageToTheStatus() throws InterruptedException {
        server.pageSize = 7;
        String id = client.build("lines:30", "main", null);
        Recorder r = new Recorder();

        BuildClient.FollowResult result = client.follow(id, 0, r, true);

        assertThat(r.seqs()).containsExactlyElementsOf(oneTo(33));
        assertThat(result.finished()).isTrue();
        assertThat(result.lastSeq()).isEqualTo(33);
        assertThat(result.status().text("status")).isEqualTo(BuildEvents.SUCCESS);
        assertThat(r.entries.get(1).type()).isEqualTo(BuildEvents.LOG);
        assertThat(r.entries.get(1).text("line")).isEqualTo("line 1");
        assertThat(server.drainLog()).filteredOn(l -> l.startsWith("follow"))
                .containsExactly("follow " + id + " 0", "follow " + id + " 7", "follow " + id + " 14",
                        "follow " + id + " 21", "follow " + id + " 28");
    }

    @Test
    void followsFromWhereItWasAcrossLostConnections() throws InterruptedException {
        String id = client.build("lines:500", "main", null);
        server.pageSize = 40;
        server.dropAfter = 90;
        Recorder r = new Recorder();

        BuildClient.FollowResult result = client.follow(id, 0, r, true);

        assertThat(r.seqs()).containsExactlyElementsOf(oneTo(503));
        assertThat(result.finished()).isTrue();
        List<String> log = server.drainLog();
        long cuts = log.stream().filter(l -> l.startsWith("cut after")).count();
        assertThat(cuts).isGreaterThanOrEqualTo(5);
        assertThat(r.events).hasSize((int) cuts * 2);
        assertThat(r.events.get(0)).matches("lost after \\d+");
        assertThat(r.events.get(1)).isEqualTo("reconnected");
    }

    @Test
    void anEntryThatComesTwiceIsHandedOverOnce() throws InterruptedException {
        String id = client.build("lines:20", "main", null);
        server.pageSize = 5;
        server.resend = 3;
        Recorder r = new Recorder();

        client.follow(id, 0, r, true);

        assertThat(r.seqs()).containsExactlyElementsOf(oneTo(23));
    }

    @Test
    void notToTheEndStopsAtAPageThatIsNotFull() throws InterruptedException {
        String id = client.build("lines:10", "main", null);
        server.pageSize = 4;
        Recorder r = new Recorder();

        // the fake's pages of 4 are "not full" by the contract's bound: what the log holds as of the first page
        BuildClient.FollowResult result = client.follow(id, 0, r, false);

        assertThat(r.seqs()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(result.finished()).isFalse();
        assertThat(result.lastSeq()).isEqualTo(4);
    }

    @Test
    void stopEndsAWaitingFollowAndCancelStillWorks() throws Exception {
        String id = client.build("lines:1", "main", null);
        server.mute = true; // the follow waits
        CompletableFuture<Throwable> ended = CompletableFuture.supplyAsync(() -> {
            try {
                client.follow(id, 0, new Recorder(), true);
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        Thread.sleep(200);
        client.stop();

        Throwable t = ended.get(5, TimeUnit.SECONDS);
        assertThat(t).isInstanceOf(BuildClientException.class);
        assertThat(((BuildClientException) t).kind()).isEqualTo(Kind.STOPPED);
        server.mute = false;
        assertThat(client.cancel(id, Duration.ofSeconds(2)).optString("status")).isEqualTo("CANCELLED");
        assertThatThrownBy(() -> client.status(id)).extracting(e -> ((BuildClientException) e).kind())
                .isEqualTo(Kind.STOPPED);
    }

    @Test
    void noAnswerInTime() throws InterruptedException {
        BuildClient quick = BuildClient.create(URI.create(server.url()), FakeBuildServer.TOKEN,
                Duration.ofMillis(500));
        try {
            quick.connect();
            server.mute = true;
            assertThatThrownBy(() -> quick.status("20261130021833-3fa9c1"))
                    .hasMessage("no answer to status from " + server.url() + "/build within 500ms")
                    .extracting(e -> ((BuildClientException) e).kind()).isEqualTo(Kind.NO_ANSWER);
        } finally {
            quick.close();
        }
    }

    @Test
    void aServerNotListeningIsTriedUntilTheTimeoutAndARefusalIsFinal() {
        String url = "http://127.0.0.1:" + TestServer.freePort();
        BuildClient nobody = BuildClient.create(URI.create(url), null, Duration.ofSeconds(1));
        BuildClient stranger = BuildClient.create(URI.create(server.url()), "guess", TIMEOUT);
        try {
            long started = System.nanoTime();
            assertThatThrownBy(nobody::connect)
                    .hasMessage("cannot connect to " + url + "/build: connection refused (tried for 1s)")
                    .extracting(e -> ((BuildClientException) e).kind()).isEqualTo(Kind.CONNECT);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofMillis(500));

            started = System.nanoTime();
            assertThatThrownBy(stranger::connect)
                    .hasMessage("cannot connect to " + server.url() + "/build: unauthorized");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(TIMEOUT);
        } finally {
            nobody.close();
            stranger.close();
        }
    }

    @Test
    void aConnectionThatCannotBeMadeAgainEndsTheFollow() throws Exception {
        FakeBuildServer own = new FakeBuildServer();
        BuildClient c = BuildClient.create(URI.create(own.url()), FakeBuildServer.TOKEN, Duration.ofSeconds(1));
        try {
            c.connect();
            String id = c.build("lines:100", "main", null);
            own.dropAfter = 10;
            List<Long> seen = new ArrayList<>();
            BuildClient.Follower stopServerOnLoss = new BuildClient.Follower() {
                @Override
                public void entry(BuildEntry entry) {
                    seen.add(entry.seq());
                }

                @Override
                public void connectionLost(String reason) {
                    own.close();
                }
            };

            assertThatThrownBy(() -> c.follow(id, 0, stopServerOnLoss, true))
                    .isInstanceOf(BuildClientException.class)
                    .hasMessageStartingWith(own.url() + "/build: connection lost (")
                    .hasMessageEndingWith("; cannot connect to " + own.url()
                            + "/build: connection refused (tried for 1s)")
                    .extracting(e -> ((BuildClientException) e).kind()).isEqualTo(Kind.LOST);
            assertThat(seen).containsExactlyElementsOf(oneTo(10));
        } finally {
            c.close();
            own.close();
        }
    }
}
