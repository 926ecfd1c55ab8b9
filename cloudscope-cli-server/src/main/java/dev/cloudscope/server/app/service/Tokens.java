package dev.cloudscope.server.app.service;

import dev.cloudscope.server.config.AuthSettings;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/** {@code auth.tokens}: who may connect. No tokens: anyone (the lesson's default). */
@Singleton
public class Tokens {

    private final List<byte[]> digests;

    @Inject
    public Tokens(AuthSettings settings) {
        this.digests = settings.tokens().stream().map(Tokens::digest).toList();
    }

    /** Whether a token is needed at all. */
    public boolean required() {
        return !digests.isEmpty();
    }

    /**
     * Whether {@code token} is one of the configured ones. Compares digests in constant time, against every
     * token, so that the time taken says nothing about how close a guess was.
     */
    public boolean accepts(String token) {
        if (!required()) {
            return true;
        }
        byte[] candidate = digest(token == null ? "" : token);
        boolean found = false;
        for (byte[] digest : digests) {
            found |= MessageDigest.isEqual(digest, candidate);
        }
        return found && token != null;
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
