package dev.cloudscope.server.config;

import com.google.inject.CreationException;
import com.google.inject.ProvisionException;
import com.google.inject.spi.Message;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** A config the server refuses to start with. The message is one line that names the key (and namespace). */
public final class ConfigProblem extends RuntimeException {

    public ConfigProblem(String message) {
        super(message);
    }

    public ConfigProblem(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The ConfigProblem behind {@code failure}: in its causes, or in those of Guice's error messages (Guice runs a
     * failing provider once per eager dependent, so a CreationException reports the problem once per dependent and,
     * the causes being distinct instances, has no single cause of its own).
     */
    public static Optional<ConfigProblem> behind(Throwable failure) {
        Collection<Message> messages = failure instanceof CreationException c ? c.getErrorMessages()
                : failure instanceof ProvisionException p ? p.getErrorMessages() : List.of();
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConfigProblem problem) {
                return Optional.of(problem);
            }
        }
        for (Message message : messages) {
            for (Throwable cause = message.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof ConfigProblem problem) {
                    return Optional.of(problem);
                }
            }
        }
        return Optional.empty();
    }
}
