package dev.cloudscope.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) as a request to finish, for as long as something has asked for it: while at least one
 * {@link #onInterrupt} registration is open, SIGINT runs every registered callback instead of ending the JVM (exit
 * code 130, no chance to say goodbye); once the last is closed, the handler that was there before is put back.
 * Concurrent registrations (two rooms in one test JVM) each get the signal.
 *
 * <p>Where the JVM does not let us handle SIGINT (it is ignored, as for a background job of a non-interactive shell,
 * or the JVM runs with {@code -Xrs}), nothing changes: the registration is a no-op.
 */
final class SigInt {
    private static final Set<Runnable> callbacks = new LinkedHashSet<>();
    private static SignalHandler previous;

    private SigInt() {
    }

    /** An open registration; closing it stops the callback from being called. */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** Runs {@code callback} (on a thread of its own) on each SIGINT until the registration is closed. */
    static Registration onInterrupt(Runnable callback) {
        Runnable mine = callback::run; // a key of its own, even if the same callback registers twice
        synchronized (SigInt.class) {
            if (callbacks.isEmpty() && !install()) {
                return () -> { };
            }
            callbacks.add(mine);
        }
        return () -> {
            synchronized (SigInt.class) {
                if (callbacks.remove(mine) && callbacks.isEmpty()) {
                    restore();
                }
            }
        };
    }

    private static boolean install() {
        try {
            previous = Signal.handle(new Signal("INT"), SigInt::interrupted);
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return false; // SIGINT ignored or reserved: leave it as it is
        }
    }

    private static void restore() {
        try {
            Signal.handle(new Signal("INT"), previous);
        } catch (IllegalArgumentException e) {
            // cannot happen: we handled it a moment ago
        }
        previous = null;
    }

    private static void interrupted(Signal signal) {
        List<Runnable> now;
        synchronized (SigInt.class) {
            now = new ArrayList<>(callbacks);
        }
        for (Runnable callback : now) {
            callback.run();
        }
    }
}
