package dev.cloudscope.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A socket.io server URL: http(s) or ws(s) with a host; {@code host:port/nsp} alone means {@code http://}. */
final class UrlConverter implements ITypeConverter<URI> {
    private static final Set<String> SCHEMES = Set.of("http", "https", "ws", "wss");

    @Override
    public URI convert(String value) {
        String text = value.trim();
        if (!text.contains("://")) {
            text = "http://" + text;
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new TypeConversionException("'" + value + "' is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme)) {
            throw new TypeConversionException("'" + value + "' is not an http(s) or ws(s) URL");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new TypeConversionException("'" + value + "' has no host");
        }
        return uri;
    }
}
