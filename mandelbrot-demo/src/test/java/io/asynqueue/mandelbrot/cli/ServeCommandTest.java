package io.asynqueue.mandelbrot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code mcm serve}'s arguments (the server itself: MandelbrotServerTest and the browser test). */
final class ServeCommandTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--port 70000     | --port must be 0 to 65535",
      "--port x         | --port: 'x' is not an int (see 'mcm serve --help')",
      "--processes 0    | --processes must be 1 to",
      "--workers 0      | --workers must be 1 to 1024",
      "--cluster 127.0.0.1:5701 --workers 2     | give --workers or --cluster, not both",
      "--cluster 127.0.0.1:5701 --processes 2   | give --processes or --cluster, not both",
      "--cluster 127.0.0.1:5701 --worker-wait 0 | --worker-wait must be at least 1",
      "--max-renders 0  | --max-renders, --max-renders-per-client, --max-work",
      "--idle-timeout 0 | --idle-timeout and --max-tiles-per-client must be at least 1",
      "--remote 127.0.0.1:1978 --processes 2   | give --processes or --remote, not both",
      "--remote 127.0.0.1:1978 --workers 2     | give --workers or --remote, not both",
      "--remote 127.0.0.1:1978 --cluster 127.0.0.1:5701 | give --remote or --cluster, not both",
      "--remote 127.0.0.1:nope --secret-file pom.xml | --remote takes host:port, not '127.0.0.1:nope'",
      "--tile-cache-mb -1 | --tile-cache-mb must be 0 to",
      "--max-tiles-per-client 0 | --idle-timeout and --max-tiles-per-client must be at least 1"})
  void badArguments_areUsageErrors(String args, String message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] argv = ("serve " + args.strip()).split(" ");
    assertThat(Mcm.run(Terminal.of(out, err), argv)).isEqualTo(Mcm.EXIT_USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains(message).contains("mcm serve");
  }

  @ParameterizedTest
  @CsvSource({"--help", "-h"})
  void help_namesTheOptions(String flag) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(Mcm.run(Terminal.of(out, new ByteArrayOutputStream()), "serve", flag)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("--port", "--processes", "--workers", "--host", "/image.png", "/stats", "--max-renders",
            "--max-renders-per-client", "--max-work", "--max-connections", "--idle-timeout", "--h2c", "--remote",
            "--tile-cache-mb", "--max-tiles-per-client", "/tile/", "/events");
  }
}
