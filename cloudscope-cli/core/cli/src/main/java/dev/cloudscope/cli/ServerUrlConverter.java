package dev.cloudscope.cli;

import dev.cloudscope.cloudbuild.BuildClient;
import java.net.URI;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** The server's address for {@code build}: a URL as {@link UrlConverter} takes it, without a path but /build. */
final class ServerUrlConverter implements ITypeConverter<URI> {
    @Override
    public URI convert(String value) {
        URI url = new UrlConverter().convert(value);
        try {
            BuildClient.buildUrl(url);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("'" + value + "': " + e.getMessage());
        }
        return url;
    }
}
