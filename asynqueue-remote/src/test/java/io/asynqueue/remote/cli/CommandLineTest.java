package io.asynqueue.remote.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.remote.Servers;
import io.asynqueue.remote.Tasks;
import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The {@code asynqueue-remote} command, run as users run it: its main class in a child JVM. Bad arguments exit
 * with code 2 and one line on stderr that names the command, the option and {@code --help}; a server that cannot
 * start exits with 1 and one line; never a stack trace.
 */
@Timeout(120)
final class CommandLineTest {

  @TempDir
  Path dir;
  Path secret;

  /** The outcome of one run. */
  record Run(int code, String out, String err) {
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  @BeforeEach
  void secretFile() throws Exception {
    secret = Servers.secretFile(dir);
  }

  /** Runs {@code asynqueue-remote args...} in a child JVM with this JVM's class path, as ServerManager does. */
  Run run(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(Arrays.asList(args));
    File out = Files.createTempFile(dir, "out", ".txt").toFile();
    File err = Files.createTempFile(dir, "err", ".txt").toFile();
    Process p = new ProcessBuilder(cmd).redirectOutput(out).redirectError(err).start();
    p.getOutputStream().close();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      throw new AssertionError("asynqueue-remote " + String.join(" ", args) + " did not exit within 90 s; stderr: "
          + Files.readString(err.toPath()));
    }
    return new Run(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
        Files.readString(err.toPath(), StandardCharsets.UTF_8));
  }

  static void assertOneLine(Run run, String line) {
    assertThat(run.errLines()).as("stderr: %s", run.err()).hasSize(1);
    assertThat(run.err()).doesNotContain("\tat ").doesNotContain("Exception in thread");
    assertThat(run.errLines().get(0)).startsWith(line);
  }

  @ParameterizedTest(name = "serve {0}")
  @CsvSource(delimiter = '|', value = {
      "--port x                                 | --port: not a port number: 'x'",
      "--port 70000                             | --port: not a port number: '70000' (0 to 65535)",
      "--concurrency x                          | --concurrency: 'x' is not an int",
      "--concurrency 0                          | --concurrency must be at least 1, not 0",
      "--bogus                                  | Unknown option: '--bogus'",
      "--service no.such.Service                | --service: no class 'no.such.Service' on the class path",
      "--service java.lang.Integer              | --service: java.lang.Integer has no public no-arg constructor",
      "--allow-task no.such.Task                | --allow-task: no class 'no.such.Task' on the class path",
      "--cluster 127.0.0.1:5701 --cluster-host 0.0.0.0"
          + " | --cluster-host: host must name one interface, not '0.0.0.0'",
      "--tls-cert nowhere.crt --tls-key nowhere.key | --tls-cert: no such file: nowhere.crt"})
  void badArguments_exitWith2_andOneLineNamingTheOption(String args, String message) throws Exception {
    List<String> argv = new ArrayList<>(List.of("serve", "--secret-file", secret.toString()));
    if (!args.contains("--service")) {
      argv.addAll(List.of("--service", Tasks.class.getName()));
    }
    argv.addAll(Arrays.asList(args.strip().split("\\s+")));
    Run run = run(argv.toArray(new String[0]));
    assertThat(run.code()).as("stderr: %s", run.err()).isEqualTo(CommandErrors.EXIT_USAGE);
    assertOneLine(run, "asynqueue-remote serve: " + message);
    assertThat(run.err().strip()).endsWith(" (see 'asynqueue-remote serve --help')");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void aMissingSecretFile_isNamedByItsOption() throws Exception {
    Path missing = dir.resolve("no-secret");
    Run run = run("serve", "--secret-file", missing.toString(), "--service", Tasks.class.getName());
    assertThat(run.code()).isEqualTo(CommandErrors.EXIT_USAGE);
    assertOneLine(run, "asynqueue-remote serve: --secret-file: no such file: " + missing
        + "; make one with 'asynqueue-remote secret > " + missing + "' and chmod 600 it");
  }

  @Test
  void aSecretTooShortOrEmpty_isNamedByItsOption() throws Exception {
    Path shortSecret = dir.resolve("short");
    Files.writeString(shortSecret, "hunter2\n");
    Files.setPosixFilePermissions(shortSecret, PosixFilePermissions.fromString("rw-------"));
    Run run = run("serve", "--secret-file", shortSecret.toString(), "--service", Tasks.class.getName());
    assertThat(run.code()).isEqualTo(CommandErrors.EXIT_USAGE);
    assertOneLine(run, "asynqueue-remote serve: --secret-file: the secret in " + shortSecret
        + " is too short (7 bytes, at least 16)");

    Path empty = dir.resolve("empty");
    Files.writeString(empty, "\n");
    Files.setPosixFilePermissions(empty, PosixFilePermissions.fromString("rw-------"));
    run = run("serve", "--secret-file", empty.toString(), "--service", Tasks.class.getName());
    assertThat(run.code()).isEqualTo(CommandErrors.EXIT_USAGE);
    assertOneLine(run, "asynqueue-remote serve: --secret-file: " + empty + " is empty");
  }

  @Test
  void aServerAnyoneCouldUse_isRefused() throws Exception {
    Run run = run("serve", "--port", "0", "--service", Tasks.class.getName());
    assertThat(run.code()).isEqualTo(CommandErrors.EXIT_USAGE);
    assertOneLine(run, "asynqueue-remote serve: give --secret-file, or TLS client certificates");
  }

  @Test
  void aPortInUse_isAFailedStart_onOneLine() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Run run = run("serve", "--port", "" + taken.getLocalPort(), "--secret-file", secret.toString(),
          "--service", Tasks.class.getName());
      assertThat(run.code()).as("stderr: %s", run.err()).isEqualTo(CommandErrors.EXIT_FAILURE);
      assertOneLine(run, "asynqueue-remote serve: cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": ");
      assertThat(run.out()).isEmpty();
    }
  }

  @Test
  void aServiceWhoseConstructorThrows_isAFailedStart_onOneLine() throws Exception {
    Run run = run("serve", "--secret-file", secret.toString(), "--service", FailingService.class.getName());
    assertThat(run.code()).isEqualTo(CommandErrors.EXIT_FAILURE);
    assertOneLine(run, "asynqueue-remote serve: cannot make the service " + FailingService.class.getName()
        + ": java.lang.IllegalStateException: no database here");
  }

  @Test
  void version_isTheProjectVersion() throws Exception {
    String expected = "asynqueue-remote " + projectVersion() + " (AsynQueue for Vert.x)";
    Run run = run("--version");
    assertThat(run.code()).isZero();
    assertThat(run.out().lines().findFirst()).contains(expected);
    run = run("serve", "--version");
    assertThat(run.code()).isZero();
    assertThat(run.out().lines().findFirst()).contains(expected);
  }

  @Test
  void help_labelsTheValues() throws Exception {
    Run run = run("serve", "--help");
    assertThat(run.code()).isZero();
    assertThat(run.out()).contains("--port=port", "--secret-file=file", "--service=class", "--allow-task=class",
        "--classpath=path", "--cluster=host:port", "Exit codes:");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void noCommand_isAUsageError() throws Exception {
    Run run = run();
    assertThat(run.code()).isEqualTo(CommandErrors.EXIT_USAGE);
    assertThat(run.errLines().get(0)).isEqualTo("asynqueue-remote: name a command, such as 'asynqueue-remote serve'");
    assertThat(run.err()).contains("serve", "secret");
  }

  /** The version in this module's pom (its parent's): what the build filters into version.properties. */
  static String projectVersion() throws Exception {
    String pom = Files.readString(Path.of("pom.xml"));
    Matcher m = Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL).matcher(pom);
    assertThat(m.find()).as("the parent's version in pom.xml").isTrue();
    return m.group(1).strip();
  }

  /** A service that cannot be made. */
  public static final class FailingService {
    public FailingService() {
      throw new IllegalStateException("no database here");
    }
  }
}
