package dev.cloudscope.cloudbuild;

import dev.cloudscope.protocol.Events;

/**
 * A program that uses the library the way the lesson does and then simply returns from {@code main}, without
 * {@code System.exit}: the JVM must end by itself. Arguments: URL, then {@code close} (close on the ack) or
 * {@code noclose} (never call close, e.g. when the connection is refused).
 */
public final class ChatOnceMain {
    public static void main(String[] args) {
        boolean close = args.length < 2 || "close".equals(args[1]);
        CloudbuildClient[] client = new CloudbuildClient[1];
        client[0] = CloudbuildClient.builder(args[0])
                .onConnect(c -> c.emitWithAck(Events.CHAT, ack -> {
                    System.out.println("ack " + ack);
                    if (close) {
                        c.close();
                    }
                }, "hello world!"))
                .on(Events.RES, a -> System.out.println("res " + a))
                .onConnectError(reason -> System.out.println("connect_error " + reason))
                .connect();
        System.out.println("main returns");
    }
}
