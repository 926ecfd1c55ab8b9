package dev.cloudscope.cli;

import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A build id as the server makes them: the UTC second, a dash, 6 hex digits, e.g. 20261130021833-3fa9c1. */
final class BuildIdConverter implements ITypeConverter<String> {
    static final Pattern FORM = Pattern.compile("\\d{14}-[0-9a-f]{6}");

    @Override
    public String convert(String value) {
        if (value == null || !FORM.matcher(value).matches()) {
            throw new TypeConversionException("'" + value + "' is not a build id (like 20261130021833-3fa9c1)");
        }
        return value;
    }
}
