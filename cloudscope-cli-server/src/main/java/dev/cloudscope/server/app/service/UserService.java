package dev.cloudscope.server.app.service;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/** The twin of the lesson's {@code app/service/user.js}. */
@Singleton
public class UserService {

    private final Executor executor;

    @Inject
    public UserService(Executor executor) {
        this.executor = executor;
    }

    /** {@code async say() { return 'Hello Man!!'; }} */
    public CompletionStage<String> say() {
        return CompletableFuture.supplyAsync(() -> "Hello Man!!", executor);
    }
}
