package dev.cloudscope.server.app.io.controller;

import dev.cloudscope.protocol.Events;
import dev.cloudscope.server.app.service.UserService;
import dev.cloudscope.server.io.IoContext;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The twin of the lesson's {@code app/io/controller/chat.js}. */
public class ChatController {

    private static final long PID = ProcessHandle.current().pid();

    private final UserService user;

    @Inject
    public ChatController(UserService user) {
        this.user = user;
    }

    public CompletionStage<Void> index(IoContext ctx) {
        Object message = ctx.args().isEmpty() ? null : ctx.args().get(0);       // const message = this.ctx.args[0];
        System.out.println("chat : " + message + " : " + PID);                  // console.log('chat :', message + ' : ' + process.pid);
        return user.say()                                                      // const say = await this.ctx.service.user.say();
                .thenAccept(say -> ctx.socket().emit(Events.RES, say));         // this.ctx.socket.emit('res', say);
    }

    /** Not in the lesson: answers the client's acknowledgement itself, with what it sent. */
    public CompletionStage<Void> echo(IoContext ctx) {
        ctx.ack(ctx.args().toArray());
        return CompletableFuture.completedFuture(null);
    }
}
