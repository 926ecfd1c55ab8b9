package dev.cloudscope.server.app.service;

import jakarta.inject.Singleton;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The twin of the lesson's {@code app/service/user.js}. */
@Singleton
public class UserService {

    private static final CompletionStage<String> SAY = CompletableFuture.completedStage("Hello Man!!");

    /**
     * {@code async say() { return 'Hello Man!!'; }}: an async function with nothing to wait for resolves at once,
     * on the caller's thread; so does this (no hand-off to another thread for a constant).
     */
    public CompletionStage<String> say() {
        return SAY;
    }
}
