package dev.cloudscope.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;

/**
 * The server's web pages in a real browser (issue 12): Debian's Chromium, headless, driven by Selenium, against the
 * real server jar with its cloud build on (bubblewrap, as in production) and the real CLI.
 * <ul>
 *   <li>a build started with {@code cloudscope build}: the page the CLI names shows the log live and in order, goes
 *       on after its connection is cut twice (a {@link CuttingProxy} between browser and server) with no line lost or
 *       doubled (every line the CLI printed, in its order), and ends at the status with the site's link;</li>
 *   <li>a build printing HTML: shown as text, nothing of it run or rendered;</li>
 *   <li>a log of 4 MiB: the page keeps the newest 5,000 lines with a note, renders in frames and stays responsive;</li>
 *   <li>the home page lists the builds, newest first; every page is readable at phone width (no sideways scroll);</li>
 *   <li>two tabs and {@code cloudscope room} in one room, on a server that asks for a token: the page asks once per
 *       tab, keeps it for the tab's next pages, and the three exchange messages, as text; a tab whose connection is
 *       cut joins again by itself.</li>
 * </ul>
 * Every page is checked for Content-Security-Policy reports in the console and for cookies (none). The test run saves
 * screenshots of the pages to {@code docs/screenshots/} (committed; README and docs/web.md show them).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebPagesIT {

    /** What the build page keeps in the DOM (build.js MAX_LINES). */
    private static final int MAX_LINES = 5000;
    private static final String TOKEN = "it-web-token";
    private static final String ROOM = "web-room";

    @TempDir
    static Path dir;

    private static BuildServer server;
    private static Browser browser;
    private static String liveBuild;

    @BeforeAll
    static void start() {
        Browser.assumeInstalled();
        server = BuildServer.start(dir);
        browser = Browser.start(dir);
    }

    @AfterAll
    static void stop() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    /** Whatever page a test left: no Content-Security-Policy report in the console, no cookie. */
    @AfterEach
    void noPolicyReportsNoCookies() {
        List<String> console = browser.console();
        System.out.printf("WebPagesIT console: %s%n", console);
        assertThat(console).as("the browser's console").noneMatch(line -> line.contains("Content Security Policy")
                || line.contains("Content-Security-Policy") || line.contains("Refused to"));
        assertThat(browser.driver().manage().getCookies()).as("cookies").isEmpty();
        if (!browser.driver().getCurrentUrl().contains("/sites/")) { // a built site is sandboxed: no cookies at all
            assertThat((String) browser.js("return document.cookie")).as("document.cookie").isEmpty();
        }
    }

    private static Path screenshots() {
        return Path.of(System.getProperty("cloudscope.root.dir", "..")).resolve("docs/screenshots");
    }

    // ---- a build, live

    @Test
    @Order(1)
    void aBuildsPageShowsItsLogLiveAndInOrderThroughTwoCutsThenItsStatusAndTheSite() {
        try (BuildGate first = BuildGate.start();
             BuildGate second = BuildGate.start();
             CuttingProxy proxy = CuttingProxy.start(server.process().port())) {
            String name = "web-live";
            Path repo = BuildFixtures.project(name).build("""
                    for (let i = 1; i <= 100; i++) console.log('line ' + i);
                    await gate(%d);
                    // a steady stream, for a cut while pages of the log are on their way
                    for (let i = 101; i <= 1100; i++) {
                      console.log('line ' + i);
                      if (i %% 10 === 0) await new Promise(resolve => setTimeout(resolve, 20));
                    }
                    console.error('a line on stderr');
                    await gate(%d);
                    for (let i = 1101; i <= 1200; i++) console.log('line ' + i);
                    %s
                    """.formatted(first.port(), second.port(), BuildFixtures.siteCall(name))).commit(dir);

            List<String> cliLines;
            try (CliProcess cli = server.startCli("build", BuildFixtures.fileUrl(repo), "--branch", "main")) {
                await("the CLI printed the build's page").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> cli.stdoutLines().size() >= 2 || !cli.isAlive());
                List<String> head = cli.stdoutLines();
                String id = BuildServer.buildId(head);
                liveBuild = id;
                assertThat(head.get(1)).as("the CLI's second line").isEqualTo("page: " + server.url() + "/builds/" + id);
                // the browser reaches the server through the proxy: the same page on the proxy's port
                browser.driver().get("http://127.0.0.1:" + proxy.port() + "/builds/" + id);

                await("the build waits at the first gate and the page shows line 100")
                        .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                        .until(() -> first.arrived() == 1 && texts(pageLines()).contains("line 100"));
                assertThat(numbered(pageLines())).as("the lines so far, live: each once, in order")
                        .isEqualTo(lines(1, 100));
                assertThat(status()).as("the status while the build runs").isEqualTo("WORKING");
                await("the page's socket.io upgraded to WebSocket (CSP connect-src 'self')")
                        .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                        .until(() -> "websocket".equals(browser.js(
                                "return document.getElementById('connection').dataset.transport")));

                proxy.cut(); // while the build waits: the page is at the end of what there is
                first.open();
                await("the page back and the stream under way").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(20)).until(() -> texts(pageLines()).contains("line 150"));
                proxy.cut(); // mid-stream: about two seconds of lines still to come
                int atCut = pageLines().size();
                await("the page came back and shows line 1100, the build at the second gate")
                        .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                        .until(() -> second.arrived() == 1 && texts(pageLines()).contains("line 1100"));
                assertThat(atCut).as("lines on the page at the second cut: the stream was under way").isLessThan(1100);
                proxy.cut(); // at the second gate
                second.open();

                await("the page shows the final status").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(100)).until(() -> !status().isEmpty()
                                && !status().equals("WORKING") && !status().equals("QUEUED"));
                ClientRun run = cli.awaitExit(Duration.ofSeconds(30));
                assertThat(run.exitCode()).as("the CLI's exit code (stderr %s)", run.stderr()).isZero();
                cliLines = cli.stdoutLines();
            }
            List<List<Object>> lines = pageLines();
            System.out.printf("WebPagesIT live: %d lines on the page, %d connections through the proxy%n",
                    lines.size(), proxy.connections());
            assertThat(status()).isEqualTo("SUCCESS");
            assertThat(proxy.connections()).as("connections through the proxy: the page's, cut three times")
                    .isGreaterThanOrEqualTo(4);
            assertThat(seqs(lines)).as("the lines' sequence numbers: increasing, none twice").isSorted()
                    .doesNotHaveDuplicates();
            assertThat(numbered(lines)).as("the build's lines: each once, in order").isEqualTo(lines(1, 1200));
            // the CLI printed the build's stdout lines between its own first two and last two, stages aside
            List<String> cliLog = cliLines.subList(2, cliLines.size() - 2).stream()
                    .filter(line -> !line.startsWith("==> ")).toList();
            assertThat(lines.stream().filter(line -> line.get(1).equals("out")).map(line -> (String) line.get(2))
                    .toList()).as("the page's stdout lines against the CLI's").isEqualTo(cliLog);
            assertThat(lines).as("the stderr line, marked").anySatisfy(line ->
                    assertThat(line.subList(1, 3)).isEqualTo(List.of("err", "a line on stderr")));
            assertThat(browser.<List<String>>js("return Array.from(document.querySelectorAll('#stages li'),"
                    + " li => li.dataset.stage + ' ' + li.dataset.state)"))
                    .as("the stages").containsExactly("prepare done", "download done", "install done", "build done",
                            "publish done");

            String site = server.url() + "/sites/" + name + "/" + BuildFixtures.VERSION + "/";
            WebElement link = browser.driver().findElement(By.id("site-link"));
            assertThat(link.isDisplayed()).as("the site's link is shown").isTrue();
            assertThat(link.getAttribute("href")).isEqualTo(site);
            assertThat(browser.driver().findElement(By.id("status")).getText()).isEqualTo("SUCCESS");
            browser.screenshot(screenshots().resolve("build.png"));

            // the link works from the keyboard, and the site is the one built
            link.sendKeys(Keys.ENTER);
            await("the built site opened").atMost(Duration.ofSeconds(10))
                    .until(() -> browser.driver().getCurrentUrl().equals(site));
            assertThat(browser.driver().getTitle()).isEqualTo(name);
        }
    }

    // ---- HTML in a log is text

    @Test
    @Order(2)
    void htmlPrintedByABuildIsShownAsTextAndNeverRun() {
        String name = "web-html";
        List<String> printed = List.of("<script>alert(1)</script>", "<b>x</b>", "<img src=x onerror=\"alert(2)\">",
                "</pre><h1>not a heading</h1>", "&lt;escaped&gt; &amp;");
        StringBuilder body = new StringBuilder();
        for (String line : printed) {
            body.append("console.log(").append(BuildFixtures.jsString(line)).append(");\n");
        }
        Path repo = BuildFixtures.project(name).build(body + BuildFixtures.siteCall(name)).commit(dir);
        ClientRun run = server.cli("build", BuildFixtures.fileUrl(repo), "--branch", "main");
        assertThat(run.exitCode()).as("exit code (stderr %s)", run.stderr()).isZero();
        String id = BuildServer.buildId(run.stdout());

        browser.driver().get(server.url() + "/builds/" + id);
        await("the page shows the final status").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> "SUCCESS".equals(status()));

        assertThat(texts(pageLines())).as("the lines, as printed").containsSubsequence(printed);
        assertThat(browser.<Long>js("return document.querySelectorAll('#log *:not(span.line)').length"))
                .as("elements in the log besides its lines").isZero();
        assertThat(browser.<Long>js("return document.querySelectorAll('h1, script:not([src]), img, b').length"))
                .as("h1, inline scripts, images, bold").isEqualTo(1L); // the page's own h1
        assertThatThrownBy(() -> browser.driver().switchTo().alert()).as("an alert")
                .isInstanceOf(NoAlertPresentException.class);
    }

    // ---- a log of 4 MiB

    @Test
    @Order(3)
    void aLogOfFourMebibytesKeepsTheNewestLinesAndThePageResponsive() {
        try (BuildGate gate = BuildGate.start()) {
            String name = "web-big";
            Path repo = BuildFixtures.project(name).build("""
                    await gate(%d);
                    const pad = 'x'.repeat(56);
                    let out = '';
                    for (let i = 1; i <= 70000; i++) {
                      out += 'big ' + i + ' ' + pad + '\\n';
                      if (i %% 1000 === 0) { process.stdout.write(out); out = ''; }
                    }
                    %s
                    """.formatted(gate.port(), BuildFixtures.siteCall(name))).commit(dir);
            ClientRun detached = server.cli("build", BuildFixtures.fileUrl(repo), "--branch", "main", "--detach");
            assertThat(detached.exitCode()).as("--detach (stderr %s)", detached.stderr()).isZero();
            String id = BuildServer.buildId(detached.stdout());

            browser.driver().get(server.url() + "/builds/" + id);
            await("the build at its gate, the page following").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(50)).until(() -> gate.arrived() == 1 && "connected".equals(
                            browser.js("return document.getElementById('connection').dataset.state")));
            // the longest time between two frames from now on (what a user would feel as the page freezing: measured
            // and printed, not asserted); the most lines the log's DOM held and the most added at once (asserted: the
            // cap, and rendering in batches)
            browser.js("""
                    window.__frames = { longest: 0, count: 0, last: performance.now(), mostLines: 0, biggestBatch: 0 };
                    (function tick(now) {
                      const f = window.__frames;
                      f.longest = Math.max(f.longest, now - f.last); f.last = now; f.count++;
                      requestAnimationFrame(tick);
                    })(performance.now());
                    new MutationObserver(function (records) {
                      const f = window.__frames;
                      f.mostLines = Math.max(f.mostLines, document.getElementById('log').childElementCount);
                      records.forEach(r => { f.biggestBatch = Math.max(f.biggestBatch, r.addedNodes.length); });
                    }).observe(document.getElementById('log'), { childList: true });
                    """);
            long opened = System.nanoTime();
            gate.open();
            await("the page shows the final status").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> "SUCCESS".equals(status()));
            long millis = (System.nanoTime() - opened) / 1_000_000;
            Map<String, Object> frames = Browser.map(browser.js("return window.__frames"));
            double longest = ((Number) frames.get("longest")).doubleValue();

            ClientRun logs = server.cli("build", "logs", id, "--json");
            assertThat(logs.exitCode()).as("build logs --json (stderr %s)", logs.stderr()).isZero();
            List<String> logLines = logs.stdout().stream().map(BuildServer::json)
                    .filter(entry -> entry.path("type").asText().equals("log"))
                    .map(entry -> entry.path("line").asText()).toList();
            List<List<Object>> lines = pageLines();
            String note = browser.driver().findElement(By.id("log-note")).getText();
            System.out.printf("WebPagesIT 4 MiB: %d log lines (%d bytes), %d on the page; from the gate to the status"
                    + " %d ms; %s frames, the longest %.0f ms; note: %s%n", logLines.size(),
                    logLines.stream().mapToLong(line -> line.length() + 1).sum(), lines.size(), millis,
                    frames.get("count"), longest, note);

            assertThat(logLines.size()).as("the log's lines").isGreaterThan(60_000);
            assertThat(logLines).as("the log was cut at build.maxLogBytes")
                    .last().asString().startsWith("[cloudscope] log limit of 4 MiB reached");
            assertThat(lines).as("lines in the page").hasSize(MAX_LINES);
            assertThat(texts(lines)).as("the page's lines: the log's newest, in order")
                    .isEqualTo(logLines.subList(logLines.size() - MAX_LINES, logLines.size()));
            assertThat(note).isEqualTo(String.format(java.util.Locale.ROOT, "%,d", logLines.size() - MAX_LINES)
                    + " earlier lines are not shown: this page keeps the last 5,000. The whole log: cloudscope build"
                    + " logs " + id);
            assertThat(browser.driver().findElement(By.id("log-count")).getText())
                    .isEqualTo(String.format(java.util.Locale.ROOT, "%,d lines", logLines.size()));
            assertThat(((Number) frames.get("mostLines")).intValue()).as("the most lines ever in the page's DOM")
                    .isEqualTo(MAX_LINES);
            assertThat(((Number) frames.get("biggestBatch")).intValue()).as("the most lines added to the DOM at once")
                    .isBetween(1, 1500);
        }
    }

    // ---- the home page, and phone width

    @Test
    @Order(4)
    void theHomePageListsTheBuildsNewestFirstAndEveryPageFitsAPhone() {
        List<String> ids = new ArrayList<>();
        ClientRun list = server.cli("build", "list", "--json");
        for (String line : list.stdout()) {
            JsonNode node = BuildServer.json(line);
            ids.add(node.path("id").asText());
        }
        assertThat(ids).as("builds so far").hasSizeGreaterThanOrEqualTo(3);

        browser.driver().get(server.url() + "/");
        await("the builds are listed").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                .until(() -> browser.<Long>js("return document.querySelectorAll('#builds tbody tr').length")
                        == ids.size());
        List<String> rows = browser.js("return Array.from(document.querySelectorAll('#builds tbody tr'), tr =>"
                + " tr.querySelector('a').getAttribute('href') + ' ' + tr.querySelector('.badge').textContent)");
        assertThat(rows).as("the rows: links to the builds' pages, newest first, with their status")
                .isEqualTo(ids.stream().map(id -> "/builds/" + id + " SUCCESS").toList());
        // the keyboard: the first Tab reaches the link that skips to the content
        browser.driver().findElement(By.tagName("body")).sendKeys(Keys.TAB);
        assertThat(browser.<String>js("return document.activeElement.textContent")).isEqualTo("Skip to the content");
        browser.js("document.activeElement.blur()");
        browser.screenshot(screenshots().resolve("home.png"));

        try {
            browser.size(390, 844);
            for (String page : List.of("/", "/builds/" + liveBuild, "/rooms/" + ROOM)) {
                browser.driver().get(server.url() + page);
                await("the page " + page + " is ready").atMost(Duration.ofSeconds(15))
                        .pollInterval(Duration.ofMillis(50)).until(() -> page.startsWith("/rooms/")
                                ? browser.js("return document.getElementById('connection').dataset.state")
                                        .equals("connected")
                                : page.equals("/") ? browser.<Long>js(
                                        "return document.querySelectorAll('#builds tbody tr').length") > 0
                                : "SUCCESS".equals(status()));
                Map<String, Object> widths = Browser.map(browser.js("return {page: document.documentElement"
                        + ".scrollWidth, viewport: document.documentElement.clientWidth}"));
                assertThat(((Number) widths.get("page")).longValue()).as("%s at phone width: the page's width", page)
                        .isLessThanOrEqualTo(((Number) widths.get("viewport")).longValue());
                if (page.startsWith("/builds/")) {
                    browser.screenshot(screenshots().resolve("build-phone.png"));
                }
            }
        } finally {
            browser.size(1200, 1000);
        }
    }

    // ---- a chat room: two tabs and the CLI, behind a token

    @Test
    @Order(5)
    void twoTabsAndTheCliInOneRoomExchangeMessagesAsTextAfterAskingForTheTokenOncePerTab() throws IOException {
        Path chatDir = Files.createDirectories(dir.resolve("chat-server"));
        Path config = Files.writeString(chatDir.resolve("tokens.conf"), "auth { tokens = [\"" + TOKEN + "\"] }\n");
        try (ServerProcess chat = ServerProcess.start(chatDir, new Trace(chatDir), FreePort.next(), "--config",
                config.toString());
             CuttingProxy proxy = CuttingProxy.start(chat.port())) {
            String direct = chat.url("/");
            String viaProxy = "http://127.0.0.1:" + proxy.port(); // tab A's way to the server, cut later

            // tab A: the home page asks for the token; then, from the home page's form, the room does not ask again
            browser.driver().get(viaProxy + "/");
            giveToken();
            await("the home page says the cloud build is off").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(50)).until(() -> text("builds-note").contains("cloud build is off"));
            browser.driver().findElement(By.id("room")).sendKeys(ROOM, Keys.ENTER);
            await("the room's page, connected without asking").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(50)).until(() -> browser.driver().getCurrentUrl()
                            .equals(viaProxy + "/rooms/" + ROOM) && "connected".equals(connection()));
            assertThat(browser.driver().findElement(By.id("token-form")).isDisplayed()).as("the token form").isFalse();
            join("ann", "You are ann in " + ROOM + ": 1 member when you joined.");
            String tabA = browser.driver().getWindowHandle();

            // tab B: a tab of its own asks once too
            browser.driver().switchTo().newWindow(WindowType.TAB);
            String tabB = browser.driver().getWindowHandle();
            browser.driver().get(direct + "/rooms/" + ROOM);
            giveToken();
            join("bob", "You are bob in " + ROOM + ": 2 members when you joined.");

            try (RoomCli cli = RoomCli.start(chatDir, direct, "cli")) {
                await("the CLI joined").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                        .until(() -> cli.stderr().contains("joined " + ROOM + " as cli (3 members)") || !cli.isAlive());
                assertThat(cli.isAlive()).as("the CLI (stderr %s)", cli.stderr()).isTrue();

                String bobSays = "<b>bob</b> & <script>alert(3)</script>";
                say(bobSays);
                browser.driver().switchTo().window(tabA);
                awaitMessages(List.of("bob: " + bobSays));
                say("hello from ann");
                browser.driver().switchTo().window(tabB);
                awaitMessages(List.of("bob: " + bobSays + " (mine)", "ann: hello from ann"));
                cli.write("hi from the cli");

                awaitMessages(List.of("bob: " + bobSays + " (mine)", "ann: hello from ann", "cli: hi from the cli"));
                browser.driver().switchTo().window(tabA);
                awaitMessages(List.of("bob: " + bobSays, "ann: hello from ann (mine)", "cli: hi from the cli"));
                await("the CLI printed both tabs' messages").atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(50)).until(() -> cli.stdout().contains("ann: hello from ann"));
                assertThat(cli.stdout()).as("the CLI's stdout").containsSubsequence("bob: " + bobSays,
                        "ann: hello from ann").doesNotContain("cli: hi from the cli");

                // tab A's connection cut: what ann types meanwhile waits; the tab connects again by itself, joins
                // the room again under its name, then sends it (sent before the join, the server would refuse it)
                proxy.cut();
                await("tab A lost its connection").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                        .until(() -> !"connected".equals(connection()));
                browser.driver().findElement(By.id("text")).sendKeys("typed while away", Keys.ENTER);
                await("tab A joined again").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                        .until(() -> text("room-status").equals("You are ann in " + ROOM
                                + ": 3 members when you joined."));
                awaitMessages(List.of("bob: " + bobSays, "ann: hello from ann (mine)", "cli: hi from the cli",
                        "ann: typed while away (mine)"));
                browser.driver().switchTo().window(tabB);
                say("after the cut");
                browser.driver().switchTo().window(tabA);
                awaitMessages(List.of("bob: " + bobSays, "ann: hello from ann (mine)", "cli: hi from the cli",
                        "ann: typed while away (mine)", "bob: after the cut"));
                await("the CLI printed them").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                        .until(() -> cli.stdout().contains("bob: after the cut"));
                assertThat(cli.stdout()).as("the CLI's stdout after the cut")
                        .containsSubsequence("ann: typed while away", "bob: after the cut");

                for (String tab : List.of(tabA, tabB)) {
                    browser.driver().switchTo().window(tab);
                    assertThat(browser.<Long>js("return document.querySelectorAll('#messages b, #messages script')"
                            + ".length")).as("markup in the messages").isZero();
                    assertThatThrownBy(() -> browser.driver().switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
                }
                browser.driver().switchTo().window(tabA);
                browser.screenshot(screenshots().resolve("room.png"));
                cli.closeStdin();
                assertThat(cli.awaitExit()).as("the CLI's exit code (stderr %s)", cli.stderr()).isZero();
            } finally {
                browser.driver().switchTo().window(tabB);
                browser.driver().close();
                browser.driver().switchTo().window(tabA);
            }
        }
    }

    private static void giveToken() {
        await("the page asks for a token").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> browser.driver().findElement(By.id("token-form")).isDisplayed());
        assertThat(connection()).isEqualTo("token");
        WebElement input = browser.driver().findElement(By.id("token"));
        assertThat(browser.<Boolean>js("return document.activeElement === arguments[0]", input))
                .as("the token's field has the focus").isTrue();
        input.sendKeys(TOKEN, Keys.ENTER);
        await("connected with the token").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> "connected".equals(connection()) || "refused".equals(connection()));
        assertThat(browser.<String>js("return sessionStorage.getItem('cloudscope.token')")).isEqualTo(TOKEN);
    }

    private static void join(String name, String joined) {
        await("the room's page is connected").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> "connected".equals(connection()));
        browser.driver().findElement(By.id("name")).sendKeys(name, Keys.ENTER);
        await(name + " joined").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> text("room-status").equals(joined));
        assertThat(browser.<String>js("return document.activeElement.id")).as("the focus after joining")
                .isEqualTo("text");
    }

    private static void say(String text) {
        int before = messages().size();
        browser.driver().findElement(By.id("text")).sendKeys(text, Keys.ENTER);
        await("sent: " + text).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> messages().size() > before);
    }

    private static void awaitMessages(List<String> expected) {
        await("the messages " + expected).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> messages().size() >= expected.size());
        assertThat(messages()).isEqualTo(expected);
    }

    /** The room's messages: {@code FROM: TEXT}, with {@code (mine)} for the tab's own. */
    private static List<String> messages() {
        return browser.js("return Array.from(document.querySelectorAll('#messages li'), li =>"
                + " li.querySelector('.from').textContent + ': ' + li.querySelector('.text').textContent"
                + " + (li.classList.contains('mine') ? ' (mine)' : ''))");
    }

    // ---- the build page, read

    /** The log's lines on the page: {@code [seq, out|err, text]}. */
    private static List<List<Object>> pageLines() {
        return browser.js("return Array.from(document.querySelectorAll('#log .line'), line =>"
                + " [Number(line.dataset.seq), line.classList.contains('err') ? 'err' : 'out',"
                + " line.textContent.replace(/\\n$/, '')])");
    }

    private static List<String> texts(List<List<Object>> lines) {
        return lines.stream().map(line -> (String) line.get(2)).toList();
    }

    private static List<Long> seqs(List<List<Object>> lines) {
        return lines.stream().map(line -> ((Number) line.get(0)).longValue()).toList();
    }

    /** The lines {@code line N}, in the page's order. */
    private static List<String> numbered(List<List<Object>> lines) {
        return texts(lines).stream().filter(line -> line.matches("line \\d+")).toList();
    }

    private static List<String> lines(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> "line " + i).toList();
    }

    private static String status() {
        return browser.js("return document.getElementById('status').dataset.status");
    }

    private static String connection() {
        return browser.js("return document.getElementById('connection').dataset.state");
    }

    private static String text(String id) {
        return browser.driver().findElement(By.id(id)).getText();
    }

    /** {@code cloudscope room ROOM URL --name NAME --token TOKEN}, its stdin a pipe. */
    private static final class RoomCli implements AutoCloseable {
        private final Process process;
        private final OutputStream stdin;
        private final Path out;
        private final Path err;

        private RoomCli(Process process, Path out, Path err) {
            this.process = process;
            this.stdin = process.getOutputStream();
            this.out = out;
            this.err = err;
        }

        static RoomCli start(Path dir, String url, String name) {
            Path out = dir.resolve("room-" + name + ".out");
            Path err = dir.resolve("room-" + name + ".err");
            try {
                Process process = new ProcessBuilder(Jars.java(), "-jar", Jars.cli().toString(), "room", ROOM, url,
                        "--name", name, "--token", TOKEN)
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                return new RoomCli(process, out, err);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        boolean isAlive() {
            return process.isAlive();
        }

        void write(String line) {
            try {
                stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                stdin.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void closeStdin() {
            try {
                stdin.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        int awaitExit() {
            try {
                if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    throw new AssertionError("cloudscope room still running after 20 s; stderr: " + stderr());
                }
                return process.exitValue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        List<String> stdout() {
            String text = Processes.read(out);
            int end = text.lastIndexOf('\n');
            return end < 0 ? List.of() : text.substring(0, end).lines().toList();
        }

        String stderr() {
            return Processes.read(err);
        }

        @Override
        public void close() {
            Processes.kill(process);
        }
    }
}
