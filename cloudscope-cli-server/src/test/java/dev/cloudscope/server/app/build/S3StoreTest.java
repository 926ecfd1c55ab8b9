package dev.cloudscope.server.app.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The S3 store against a real S3 server: s3proxy in this JVM on a free loopback port, an in-memory blob store. */
class S3StoreTest {

    private static final String ACCESS = "cloudscope-test";
    private static final String SECRET = "cloudscope-test-secret";
    private static final String BUCKET = "sites";

    @TempDir
    Path work;

    private BlobStoreContext blobs;
    private S3Proxy proxy;
    private URI endpoint;
    private S3Client client;
    private S3Store store;
    private Path dist;

    @BeforeEach
    void startS3() throws Exception {
        Properties properties = new Properties();
        blobs = ContextBuilder.newBuilder("transient").credentials("identity", "credential").overrides(properties)
                .build(BlobStoreContext.class);
        BlobStore blobStore = blobs.getBlobStore();
        proxy = S3Proxy.builder().blobStore(blobStore).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET).build();
        proxy.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!proxy.getState().equals("STARTED") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
        client = S3Client.builder().endpointOverride(endpoint).forcePathStyle(true).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS, SECRET)))
                .httpClient(UrlConnectionHttpClient.builder().build())
                // s3proxy answers 501 to the SDK's newer checksum headers, as S3Store knows
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED).build();
        client.createBucket(b -> b.bucket(BUCKET));
        store = new S3Store(new S3Store.Settings(endpoint, BUCKET, "us-east-1", ACCESS, SECRET, null),
                work.resolve("s3-staging"));

        dist = Files.createDirectories(work.resolve("project/dist"));
        Files.writeString(dist.resolve("index.html"), "<!doctype html><h1>demo</h1>");
        Files.createDirectories(dist.resolve("assets"));
        Files.writeString(dist.resolve("assets/app.js"), "console.log('hi')");
        Files.writeString(dist.resolve("assets/app.css"), "h1{color:red}");
        byte[] image = new byte[300_000];
        new Random(7).nextBytes(image);
        Files.write(dist.resolve("assets/photo.png"), image);
        Files.createDirectories(dist.resolve("docs"));
        Files.writeString(dist.resolve("docs/index.html"), "<h1>docs</h1>");
    }

    @AfterEach
    void stopS3() throws Exception {
        if (store != null) {
            store.close();
        }
        if (client != null) {
            client.close();
        }
        proxy.stop();
        blobs.close();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void publishPutsEveryFileWithItsContentTypeAndTheManifestAndFetchesBackWithMatchingSha256() throws Exception {
        Publication publication = store.publish("@team/demo", "1.0.0", dist);
        assertThat(publication.siteUrl()).isEqualTo(endpoint + "/sites/@team/demo/1.0.0/");
        Manifest manifest = publication.manifest();
        assertThat(manifest.files()).extracting(Manifest.File::path).containsExactly("assets/app.css",
                "assets/app.js", "assets/photo.png", "docs/index.html", "index.html");

        for (Manifest.File file : manifest.files()) {
            // straight from S3 with another client
            byte[] stored = client.getObjectAsBytes(g -> g.bucket(BUCKET).key("@team/demo/1.0.0/" + file.path()))
                    .asByteArray();
            assertThat(sha256(stored)).isEqualTo(file.sha256());
            assertThat(stored).hasSize((int) file.size());
            HeadObjectResponse head = client.headObject(h -> h.bucket(BUCKET).key("@team/demo/1.0.0/" + file.path()));
            // as stored; Jetty (s3proxy's server) respells the parameters when it answers
            assertThat(head.contentType().replace(" ", "")).isEqualToIgnoringCase(
                    ContentTypes.of(file.path()).replace(" ", ""));
            // and through the store, as the server would serve it
            SiteFile served = store.open("@team/demo", "1.0.0", file.path()).orElseThrow();
            assertThat(served.size()).isEqualTo(file.size());
            assertThat(served.localFile()).isEmpty();
            try (InputStream in = served.open()) {
                assertThat(sha256(in.readAllBytes())).isEqualTo(file.sha256());
            }
        }
        assertThat(manifest.file("assets/photo.png").orElseThrow().sha256())
                .isEqualTo(sha256(Files.readAllBytes(dist.resolve("assets/photo.png"))));

        byte[] manifestJson = client.getObjectAsBytes(g -> g.bucket(BUCKET).key("@team/demo/1.0.0.manifest.json"))
                .asByteArray();
        assertThat(Manifest.parse(manifestJson)).isEqualTo(manifest);
        assertThat(store.manifest("@team/demo", "1.0.0")).contains(manifest);
        assertThat(store.manifest("@team/demo", "9.9.9")).isEmpty();

        // the site URL is a real, path-style URL of the objects
        HttpResponse<byte[]> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(publication.siteUrl() + "index.html")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isIn(200, 403); // 403: s3proxy wants signed requests for private buckets
        assertThat(work.resolve("s3-staging")).isEmptyDirectory();
    }

    @Test
    void directoriesServeTheirIndexAndNothingElseIsFound() throws Exception {
        store.publish("demo", "1.0.0", dist);
        assertThat(store.open("demo/1.0.0/").orElseThrow().path()).isEqualTo("index.html");
        assertThat(store.open("demo/1.0.0").orElseThrow().contentType()).isEqualTo("text/html; charset=UTF-8");
        assertThat(store.open("demo/1.0.0/docs").orElseThrow().path()).isEqualTo("docs/index.html");
        assertThat(store.open("demo/1.0.0/assets/")).isEmpty();
        assertThat(store.open("demo/1.0.0/nope.js")).isEmpty();
        assertThat(store.open("demo/1.0.0/../../other/1.0.0/index.html")).isEmpty();
        assertThat(store.open("demo/1.0.0.manifest.json")).isEmpty();
    }

    @Test
    void republishingRemovesFilesTheNewSiteLacks() throws Exception {
        store.publish("demo", "1.0.0", dist);
        Files.delete(dist.resolve("assets/app.css"));
        store.publish("demo", "1.0.0", dist);
        List<String> keys = client.listObjectsV2Paginator(l -> l.bucket(BUCKET).prefix("demo/")).contents().stream()
                .map(S3Object::key).toList();
        assertThat(keys).containsExactlyInAnyOrder("demo/1.0.0.manifest.json", "demo/1.0.0/assets/app.js", "demo/1.0.0/assets/photo.png",
                "demo/1.0.0/docs/index.html", "demo/1.0.0/index.html");
        assertThat(store.open("demo/1.0.0/assets/app.css")).isEmpty();
    }

    @Test
    void aPublicBaseUrlNamesTheSite() throws Exception {
        try (S3Store cdn = new S3Store(new S3Store.Settings(endpoint, BUCKET, null, ACCESS, SECRET,
                URI.create("https://cdn.example.test/")), work.resolve("s3-staging"))) {
            assertThat(cdn.publish("demo", "1.0.0", dist).siteUrl()).isEqualTo("https://cdn.example.test/demo/1.0.0/");
        }
    }

    @Test
    void failuresNameTheBucketButNeverTheSecret() throws Exception {
        try (S3Store wrong = new S3Store(new S3Store.Settings(endpoint, "missing-bucket", "us-east-1", ACCESS,
                SECRET, null), work.resolve("s3-staging"))) {
            assertThatThrownBy(() -> wrong.publish("demo", "1.0.0", dist)).isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("missing-bucket").message().doesNotContain(SECRET);
        }
        try (S3Store badKey = new S3Store(new S3Store.Settings(endpoint, BUCKET, "us-east-1", ACCESS,
                "not-the-secret", null), work.resolve("s3-staging"))) {
            assertThatThrownBy(() -> badKey.publish("demo", "1.0.0", dist)).isInstanceOf(java.io.IOException.class)
                    .message().doesNotContain("not-the-secret");
        }
        assertThat(new S3Store.Settings(endpoint, BUCKET, null, ACCESS, SECRET, null).toString())
                .doesNotContain(SECRET);
        assertThat(new String(Files.readAllBytes(dist.resolve("index.html")), StandardCharsets.UTF_8))
                .contains("demo");
    }
}
