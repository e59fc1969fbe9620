package io.asynqueue.remote.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A port number option, 0 to 65535: {@code --port: not a port number: 'x'} otherwise. */
final class PortConverter implements ITypeConverter<Integer> {

  PortConverter() {
  }

  @Override
  public Integer convert(String value) {
    int port;
    try {
      port = Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("not a port number: '" + value + "'");
    }
    if (port < 0 || port > 65535) {
      throw new TypeConversionException("not a port number: '" + value + "' (0 to 65535)");
    }
    return port;
  }
}
