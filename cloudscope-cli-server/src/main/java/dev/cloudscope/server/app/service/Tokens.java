package dev.cloudscope.server.app.service;

import dev.cloudscope.server.config.AuthSettings;
import dev.cloudscope.server.io.IoSocket;
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

    /**
     * Whether {@code socket} presents an accepted token: socket.io v4 clients in their auth payload ({@code {token}}),
     * 2.x clients, which can send none, in the handshake query ({@code ?token=}).
     */
    public boolean admits(IoSocket socket) {
        Object token = socket.auth().get("token");
        if (token instanceof String text) {
            return accepts(text);
        }
        List<String> query = socket.handshakeQuery().get("token");
        return accepts(query == null || query.isEmpty() ? null : query.get(0));
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
