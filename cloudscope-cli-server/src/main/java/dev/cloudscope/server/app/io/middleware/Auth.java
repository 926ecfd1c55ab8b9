package dev.cloudscope.server.app.io.middleware;

import dev.cloudscope.protocol.Events;
import dev.cloudscope.server.app.service.UserService;
import dev.cloudscope.server.io.ConnectionMiddleware;
import dev.cloudscope.server.io.IoContext;
import dev.cloudscope.server.io.Next;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;

/** The twin of the lesson's {@code app/io/middleware/auth.js}. */
public class Auth implements ConnectionMiddleware {

    private final UserService user;

    @Inject
    public Auth(UserService user) {
        this.user = user;
    }

    @Override
    public CompletionStage<Void> handle(IoContext ctx, Next next) {
        return user.say()                                                      // const say = await ctx.service.user.say();
                .thenAccept(say -> ctx.socket().emit(Events.RES, "auth!" + say)) // ctx.socket.emit('res', 'auth!' + say);
                .thenCompose(done -> next.call())                             // await next();
                .thenRun(() -> System.out.println("disconnect!"));            // console.log('disconnect!');
    }
}
