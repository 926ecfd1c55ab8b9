package dev.cloudscope.server.app.build;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The {@link ArtifactStore} on the S3 API ({@code build.store.s3}): AWS S3, or any service that speaks it (Aliyun
 * OSS, MinIO, s3proxy). Keys as the directory store's paths: {@code NAME/VERSION/PATH} and
 * {@code NAME/VERSION.manifest.json}. Each file is put with its Content-Type; after a site's files and manifest,
 * keys under {@code NAME/VERSION/} that the new manifest lacks (a previous publication's) are deleted.
 *
 * <p>A custom endpoint is addressed path-style ({@code ENDPOINT/BUCKET/KEY}), which every S3-compatible service
 * accepts, and checksums are sent only where the API requires them (some of those services refuse the SDK's newer
 * checksum headers); the manifest's SHA-256 is the end-to-end check.
 */
public final class S3Store implements ArtifactStore, AutoCloseable {

    /**
     * {@code build.store.s3}.
     *
     * @param endpoint      the service's URL; null for AWS itself
     * @param region        the signing region ({@code us-east-1} when null)
     * @param accessKey     with {@code secretKey}; both null: the SDK's default credentials (environment, profile)
     * @param publicBaseUrl where the bucket's objects are public, if not at {@code ENDPOINT/BUCKET/} (a CDN, a
     *                      website endpoint); null: the path-style URL
     */
    public record Settings(URI endpoint, String bucket, String region, String accessKey, String secretKey,
                           URI publicBaseUrl) {

        public Settings {
            if (bucket == null || bucket.isBlank()) {
                throw new IllegalArgumentException("build.store.s3.bucket is required");
            }
            if ((accessKey == null) != (secretKey == null)) {
                throw new IllegalArgumentException("build.store.s3: accessKey and secretKey go together");
            }
            region = region == null || region.isBlank() ? "us-east-1" : region;
        }

        @Override
        public String toString() { // never the secret
            return "s3{endpoint=" + endpoint + ", bucket=" + bucket + ", region=" + region + "}";
        }
    }

    private final Settings settings;
    private final S3Client s3;
    private final Path stagingDir;
    private final String baseUrl;

    /** @param stagingDir where a site is copied (and hashed) before its upload, e.g. {@code build.workDir}/s3-staging */
    public S3Store(Settings settings, Path stagingDir) throws IOException {
        this.settings = settings;
        this.stagingDir = Files.createDirectories(stagingDir);
        AwsCredentialsProvider credentials = settings.accessKey() == null
                ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(),
                        settings.secretKey()));
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .httpClient(UrlConnectionHttpClient.builder().build())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint()).forcePathStyle(true);
        }
        this.s3 = builder.build();
        String base;
        if (settings.publicBaseUrl() != null) {
            base = settings.publicBaseUrl().toString();
        } else {
            String endpoint = settings.endpoint() != null ? settings.endpoint().toString()
                    : "https://s3." + settings.region() + ".amazonaws.com";
            base = (endpoint.endsWith("/") ? endpoint : endpoint + "/") + settings.bucket();
        }
        this.baseUrl = base.endsWith("/") ? base : base + "/";
    }

    @Override
    public Publication publish(String name, String version, Path builtDir) throws InvalidInputException, IOException {
        PackageJson.checkName(name);
        PackageJson.checkVersion(version);
        Path staging = stagingDir.resolve(UUID.randomUUID().toString());
        String prefix = PackageJson.siteKey(name, version) + "/";
        try {
            Path site = staging.resolve("site");
            Manifest manifest = BuiltSite.copy(name, version, builtDir, site);
            Set<String> keys = new HashSet<>();
            for (Manifest.File file : manifest.files()) {
                String key = prefix + file.path();
                keys.add(key);
                s3.putObject(put -> put.bucket(settings.bucket()).key(key)
                                .contentType(ContentTypes.of(file.path())).contentLength(file.size()),
                        RequestBody.fromFile(site.resolve(file.path())));
            }
            byte[] manifestJson = manifest.toJson();
            s3.putObject(put -> put.bucket(settings.bucket()).key(manifestKey(name, version))
                    .contentType("application/json"), RequestBody.fromBytes(manifestJson));
            for (S3Object old : s3.listObjectsV2Paginator(list -> list.bucket(settings.bucket()).prefix(prefix))
                    .contents()) {
                if (!keys.contains(old.key())) {
                    s3.deleteObject(delete -> delete.bucket(settings.bucket()).key(old.key()));
                }
            }
            return new Publication(siteUrl(name, version), manifest);
        } catch (SdkException e) {
            throw new IOException("publish to S3 bucket " + settings.bucket() + " failed: " + reason(e), e);
        } finally {
            DirectoryStore.deleteTree(staging);
        }
    }

    @Override
    public Optional<SiteFile> open(String name, String version, String path) throws IOException {
        Optional<SitePath> site = SitePath.of(name, version, path);
        return site.isEmpty() ? Optional.empty() : open(site.get());
    }

    @Override
    public Optional<SiteFile> open(SitePath request) throws IOException {
        String key = PackageJson.siteKey(request.name(), request.version()) + "/" + request.file();
        try {
            Optional<SiteFile> found = head(key, request.file());
            if (found.isEmpty() && !request.index()) { // a "directory": its index.html
                found = head(key + "/" + SitePath.INDEX, request.file() + "/" + SitePath.INDEX);
            }
            return found;
        } catch (SdkException e) {
            throw new IOException("S3 bucket " + settings.bucket() + ": " + reason(e), e);
        }
    }

    private Optional<SiteFile> head(String key, String path) {
        HeadObjectResponse head;
        try {
            head = s3.headObject(h -> h.bucket(settings.bucket()).key(key));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
        return Optional.of(new SiteFile(path, ContentTypes.of(path), head.contentLength(), null, () -> {
            try {
                return s3.getObject(get -> get.bucket(settings.bucket()).key(key));
            } catch (SdkException e) {
                throw new IOException("S3 bucket " + settings.bucket() + ": " + reason(e), e);
            }
        }));
    }

    @Override
    public Optional<Manifest> manifest(String name, String version) throws IOException {
        if (!PackageJson.validName(name) || !PackageJson.validVersion(version)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Manifest.parse(s3.getObjectAsBytes(get -> get.bucket(settings.bucket())
                    .key(manifestKey(name, version))).asByteArray()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw new IOException("S3 bucket " + settings.bucket() + ": " + reason(e), e);
        }
    }

    @Override
    public String siteUrl(String name, String version) {
        return baseUrl + PackageJson.siteKey(name, version) + "/";
    }

    @Override
    public void close() {
        s3.close();
    }

    private static String manifestKey(String name, String version) {
        return PackageJson.siteKey(name, version) + DirectoryStore.MANIFEST_SUFFIX;
    }

    /** The service's error code or the SDK's message: neither holds the credentials. */
    private static String reason(SdkException e) {
        if (e instanceof S3Exception s3 && s3.awsErrorDetails() != null) {
            return s3.awsErrorDetails().errorCode() + " (HTTP " + s3.statusCode() + ")";
        }
        return e.getMessage();
    }
}
