package dev.cloudscope.server.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.LoggerFactory;

/** What one class logs, captured (and kept off stderr) until closed. */
public final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final boolean additive;
    /** The logger's own level before the capture, restored on close if the capture changed it. */
    private final Level level;
    private final boolean levelChanged;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    /** For a capture of the root logger: its own appenders (stderr), detached while capturing. */
    private final List<Appender<ILoggingEvent>> detached = new ArrayList<>();

    private LogCapture(Logger logger, Level level) {
        this.logger = logger;
        additive = logger.isAdditive();
        this.level = logger.getLevel();
        appender.setContext(logger.getLoggerContext());
        appender.start();
        if (logger.getName().equals(Logger.ROOT_LOGGER_NAME)) {
            for (Iterator<Appender<ILoggingEvent>> it = logger.iteratorForAppenders(); it.hasNext(); ) {
                detached.add(it.next());
            }
            detached.forEach(logger::detachAppender);
        } else {
            logger.setAdditive(false);
        }
        logger.addAppender(appender);
        levelChanged = level != null;
        if (levelChanged) {
            logger.setLevel(level);
        }
    }

    public static LogCapture of(Class<?> type) {
        return new LogCapture((Logger) LoggerFactory.getLogger(type), null);
    }

    /** What the logger named {@code name} logs, e.g. a class the test cannot see. */
    public static LogCapture of(String name) {
        return new LogCapture((Logger) LoggerFactory.getLogger(name), null);
    }

    /** What one class logs at {@code level} and above, its configured level restored on close. */
    public static LogCapture of(Class<?> type, Level level) {
        return new LogCapture((Logger) LoggerFactory.getLogger(type), level);
    }

    /**
     * Everything the server would print on stderr at the default log level (logback.xml's levels apply), and
     * nothing printed while captured. Loggers captured by {@link #of} meanwhile are not seen here.
     */
    public static LogCapture stderr() {
        return new LogCapture((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME), null);
    }

    /** The events logged, in order. */
    public List<ILoggingEvent> events() {
        synchronized (appender) { // AppenderBase.doAppend appends under this lock
            return List.copyOf(appender.list);
        }
    }

    /** The formatted messages logged at ERROR, in order. */
    public List<String> errors() {
        return messagesAt(Level.ERROR);
    }

    /** The formatted messages logged at WARN, in order. */
    public List<String> warnings() {
        return messagesAt(Level.WARN);
    }

    /** Every formatted message, in order. */
    public List<String> messages() {
        return events().stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    private List<String> messagesAt(Level level) {
        return events().stream()
                .filter(event -> event.getLevel() == level)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    /**
     * Each event as the console would print it, in short: {@code LEVEL logger - message}, followed by
     * {@code " + stack trace of <exception>"} when it carries one.
     */
    public List<String> lines() {
        return events().stream()
                .map(event -> event.getLevel() + " " + event.getLoggerName() + " - " + event.getFormattedMessage()
                        + (event.getThrowableProxy() == null ? "" : " + stack trace of "
                        + event.getThrowableProxy().getClassName()))
                .toList();
    }

    /** Forgets what was captured so far. */
    public void clear() {
        synchronized (appender) {
            appender.list.clear();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        if (detached.isEmpty()) {
            logger.setAdditive(additive);
        } else {
            detached.forEach(logger::addAppender);
        }
        if (levelChanged) {
            logger.setLevel(level);
        }
        appender.stop();
    }
}
