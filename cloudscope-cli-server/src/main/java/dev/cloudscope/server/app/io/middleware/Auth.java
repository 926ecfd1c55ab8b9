package dev.cloudscope.server.app.io.middleware;

import dev.cloudscope.protocol.Events;
import dev.cloudscope.server.app.service.Tokens;
import dev.cloudscope.server.app.service.UserService;
import dev.cloudscope.server.io.ConnectionMiddleware;
import dev.cloudscope.server.io.IoContext;
import dev.cloudscope.server.io.Next;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The twin of the lesson's {@code app/io/middleware/auth.js}; with {@code auth.tokens} set, it also lets in only
 * clients that present one (the lesson's authenticates nobody).
 */
public class Auth implements ConnectionMiddleware {

    private final UserService user;
    private final Tokens tokens;

    @Inject
    public Auth(UserService user, Tokens tokens) {
        this.user = user;
        this.tokens = tokens;
    }

    @Override
    public CompletionStage<Void> handle(IoContext ctx, Next next) {
        if (!tokens.admits(ctx.socket())) {
            return CompletableFuture.failedFuture(new SecurityException("unauthorized")); // the client's connect error
        }
        return user.say()                                                      // const say = await ctx.service.user.say();
                .thenAccept(say -> ctx.socket().emit(Events.RES, "auth!" + say)) // ctx.socket.emit('res', 'auth!' + say);
                .thenCompose(done -> next.call())                             // await next();
                .thenRun(() -> System.out.println("disconnect!"));            // console.log('disconnect!');
    }
}
