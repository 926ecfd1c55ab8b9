package dev.cloudscope.it;

import java.net.URI;
import java.util.List;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3 API for the servers under test: s3proxy on a free loopback port of the test's JVM, over an in-memory
 * blob store, one bucket. {@link #settings} is what a server's {@code build} block needs to use it.
 */
final class S3Server implements AutoCloseable {

    static final String ACCESS = "cloudscope-it";
    static final String SECRET = "cloudscope-it-secret";
    static final String BUCKET = "sites";

    private final BlobStoreContext blobs;
    private final S3Proxy proxy;

    private S3Server(BlobStoreContext blobs, S3Proxy proxy) {
        this.blobs = blobs;
        this.proxy = proxy;
    }

    static S3Server start() {
        BlobStoreContext blobs = ContextBuilder.newBuilder("transient").credentials("identity", "credential")
                .overrides(new Properties()).build(BlobStoreContext.class);
        blobs.getBlobStore().createContainerInLocation(null, BUCKET);
        S3Proxy proxy = S3Proxy.builder().blobStore(blobs.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET).build();
        try {
            proxy.start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!proxy.getState().equals("STARTED") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } catch (Exception e) {
            blobs.close();
            throw new AssertionError("s3proxy did not start", e);
        }
        return new S3Server(blobs, proxy);
    }

    String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    /** The {@code build} block's lines for this store. */
    List<String> settings() {
        return List.of("store.s3 { endpoint = \"" + endpoint() + "\", bucket = " + BUCKET + ", accessKey = " + ACCESS
                + ", secretKey = " + SECRET + " }");
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            // stopping anyway
        }
        blobs.close();
    }
}
