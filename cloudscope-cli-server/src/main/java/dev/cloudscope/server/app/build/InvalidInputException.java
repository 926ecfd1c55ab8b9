package dev.cloudscope.server.app.build;

/**
 * Input the cloud build refuses: a client's request or id, a cloned project's package.json, a built directory
 * that cannot be published. The message is one short line naming the field and the rule, fit to show the client;
 * it never repeats credentials.
 */
public class InvalidInputException extends Exception {

    public InvalidInputException(String message) {
        super(message, null, false, false);
    }
}
