package dev.cloudscope.server.io.internal.netty;

/** The server cannot serve; the message is one line for the user. */
public final class IoServerException extends RuntimeException {

    public IoServerException(String message, Throwable cause) {
        super(message, cause);
    }
}
