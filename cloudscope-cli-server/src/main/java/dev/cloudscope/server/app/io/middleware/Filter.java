package dev.cloudscope.server.app.io.middleware;

import dev.cloudscope.protocol.Events;
import dev.cloudscope.server.app.service.UserService;
import dev.cloudscope.server.io.IoContext;
import dev.cloudscope.server.io.Next;
import dev.cloudscope.server.io.PacketMiddleware;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;

/** The twin of the lesson's {@code app/io/middleware/filter.js}. */
public class Filter implements PacketMiddleware {

    private final UserService user;

    @Inject
    public Filter(UserService user) {
        this.user = user;
    }

    @Override
    public CompletionStage<Void> handle(IoContext ctx, Next next) {
        System.out.println(ctx.packet());                                           // console.log(ctx.packet);
        return user.say()                                                           // const say = await ctx.service.user.say();
                .thenAccept(say -> ctx.socket().emit(Events.RES, "packet!" + say)) // ctx.socket.emit('res', 'packet!' + say);
                .thenCompose(done -> next.call())                                  // await next();
                .thenRun(() -> System.out.println("packet response!"));            // console.log('packet response!');
    }
}
