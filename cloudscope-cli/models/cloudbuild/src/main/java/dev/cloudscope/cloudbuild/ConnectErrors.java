package dev.cloudscope.cloudbuild;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;
import javax.net.ssl.SSLException;
import org.json.JSONObject;

/**
 * Turns what socket.io-client 2.1.2 hands to {@code connect_error} into one short reason: an exception when the
 * server cannot be reached (an {@code EngineIOException} wrapping OkHttp's), a {@code JSONObject} such as
 * {@code {"message":"unauthorized"}} or a {@code String} such as {@code Invalid namespace} when the server refuses
 * the namespace.
 */
final class ConnectErrors {

    private ConnectErrors() {
    }

    /** Whether {@code error} is the server's refusal of the namespace, not a failure to reach it. */
    static boolean byServer(Object error) {
        return error != null && !(error instanceof Throwable);
    }

    static String describe(Object error) {
        if (error == null) {
            return "unknown error";
        }
        if (error instanceof Throwable t) {
            return describe(t);
        }
        if (error instanceof JSONObject json) {
            String message = json.optString("message", null);
            if (message != null && !message.isBlank()) {
                return message;
            }
            return json.toString();
        }
        String text = error.toString();
        return text.isBlank() ? "unknown error" : text;
    }

    private static String describe(Throwable error) {
        Throwable deepest = error;
        for (Throwable c = error; c != null; c = c.getCause()) {
            deepest = c;
            if (c instanceof UnknownHostException) {
                return "unknown host " + c.getMessage();
            }
            if (c instanceof SocketTimeoutException) {
                return "connection timed out";
            }
            if (c instanceof NoRouteToHostException) {
                return "no route to host";
            }
            if (c instanceof SSLException) {
                return "TLS error: " + c.getMessage();
            }
            if (c instanceof ProtocolException) {
                // e.g. "Expected HTTP 101 response but was '404 Not Found'": not a socket.io server
                return c.getMessage();
            }
            if (c.getClass().getName().equals("io.socket.client.SocketIOException")
                    && "timeout".equals(c.getMessage())) {
                return "connection timed out"; // the Manager's own connect timeout
            }
            if (c.getCause() == c) {
                break;
            }
        }
        ConnectException connect = deepestOf(error, ConnectException.class);
        if (connect != null) {
            String message = connect.getMessage();
            if (message == null || message.isBlank() || message.startsWith("Failed to connect to")) {
                return "connection refused";
            }
            return lowerFirst(message);
        }
        String message = deepest.getMessage();
        if (message == null || message.isBlank()) {
            message = error.getMessage();
        }
        return message == null || message.isBlank() ? deepest.getClass().getSimpleName() : message;
    }

    private static <T extends Throwable> T deepestOf(Throwable error, Class<T> type) {
        T found = null;
        for (Throwable c = error; c != null && c.getCause() != c; c = c.getCause()) {
            if (type.isInstance(c)) {
                found = type.cast(c);
            }
        }
        return found;
    }

    private static String lowerFirst(String message) {
        if (message.length() > 1 && Character.isUpperCase(message.charAt(0))
                && !Character.isUpperCase(message.charAt(1))) {
            return message.substring(0, 1).toLowerCase(Locale.ROOT) + message.substring(1);
        }
        return message;
    }
}
