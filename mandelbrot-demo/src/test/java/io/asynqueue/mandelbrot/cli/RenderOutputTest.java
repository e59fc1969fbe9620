package io.asynqueue.mandelbrot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where {@code mcm render -o FILE} writes: a temporary file beside FILE, renamed onto it on success and removed on
 * failure or a signal; devices and pipes written in place and never removed.
 */
final class RenderOutputTest {

  private static final String[] SMALL_VIEW = {"120", "-0.630", "0", "1.4", "1.2"};
  private static final byte[] PRECIOUS = "a file the render did not create\n".getBytes(StandardCharsets.UTF_8);

  @TempDir
  Path dir;

  /** The outcome of one in-process run. */
  private record Run(int code, String stderr) {
  }

  private static Run run(String... args) {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    int code = Mcm.run(Terminal.of(stdout, stderr), args);
    return new Run(code, stderr.toString(StandardCharsets.UTF_8));
  }

  private static String[] render(Path output, String... more) {
    Stream<String> workers = more.length == 0 ? Stream.of("-w", "2") : Stream.of(more);
    return Stream.concat(Stream.of("render", "-o", output.toString()),
        Stream.concat(workers, Stream.of(SMALL_VIEW))).toArray(String[]::new);
  }

  /** Arguments that fail the render after the output is open: the only --remote server is not there. */
  private String[] failing() throws Exception {
    Path secret = dir.resolve("secret");
    Files.writeString(secret, Secrets.generate());
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    return new String[] {"--remote", "127.0.0.1:" + port, "--secret-file", secret.toString()};
  }

  private List<String> namesIn(Path d) throws Exception {
    try (Stream<Path> files = Files.list(d)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void success_replacesAnExistingFile_andLeavesNoTemporaryFile() throws Exception {
    Path png = dir.resolve("m.png");
    Files.write(png, PRECIOUS);
    Files.setPosixFilePermissions(png, PosixFilePermissions.fromString("rw-r-----"));
    Run run = run(render(png));
    assertThat(run.code()).as(run.stderr()).isZero();
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(120);
    assertThat(Files.getPosixFilePermissions(png)).isEqualTo(PosixFilePermissions.fromString("rw-r-----"));
    assertThat(namesIn(dir)).containsExactly("m.png");
  }

  @Test
  void success_throughASymbolicLink_replacesTheFileItPointsTo() throws Exception {
    Path real = dir.resolve("real.png");
    Files.write(real, PRECIOUS);
    Path link = Files.createSymbolicLink(dir.resolve("link.png"), real);
    Run run = run(render(link));
    assertThat(run.code()).as(run.stderr()).isZero();
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(ImageIO.read(real.toFile()).getWidth()).isEqualTo(120);
  }

  /** Issue 15: a failed render truncated an existing file as it started, then deleted it. */
  @Test
  void failedRender_leavesAnExistingFileByteIdentical_andNothingElse() throws Exception {
    Path png = dir.resolve("m.png");
    Files.write(png, PRECIOUS);
    String[] failing = failing();
    List<String> before = namesIn(dir);
    Run run = run(render(png, failing));
    assertThat(run.code()).as(run.stderr()).isEqualTo(Mcm.EXIT_FAILURE);
    assertThat(Files.readAllBytes(png)).isEqualTo(PRECIOUS);
    assertThat(namesIn(dir)).isEqualTo(before);
  }

  @Test
  void failedRender_ofANewFile_leavesNoFile() throws Exception {
    Path png = dir.resolve("new.png");
    String[] failing = failing();
    Run run = run(render(png, failing));
    assertThat(run.code()).as(run.stderr()).isEqualTo(Mcm.EXIT_FAILURE);
    assertThat(namesIn(dir)).containsExactly("secret");
  }

  @Test
  void devNull_isWritten_andLeftAlone() throws Exception {
    Path devNull = Path.of("/dev/null");
    Run run = run(render(devNull));
    assertThat(run.code()).as(run.stderr()).isZero();
    assertThat(Files.exists(devNull)).isTrue();
    assertThat(Files.isRegularFile(devNull)).isFalse();
  }

  /** A FIFO gets the PNG in place; a failed render to it does not remove it (it did, as if it were a file). */
  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void fifo_getsThePng_andIsNeverRemoved() throws Exception {
    Path fifo = dir.resolve("pipe");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> readAll(fifo));
    Run run = run(render(fifo));
    assertThat(run.code()).as(run.stderr()).isZero();
    assertThat(ImageIO.read(new ByteArrayInputStream(read.get(1, TimeUnit.MINUTES))).getWidth()).isEqualTo(120);
    String[] failing = failing();
    CompletableFuture<byte[]> readAgain = CompletableFuture.supplyAsync(() -> readAll(fifo));
    Run failed = run(render(fifo, failing));
    assertThat(failed.code()).as(failed.stderr()).isEqualTo(Mcm.EXIT_FAILURE);
    readAgain.get(1, TimeUnit.MINUTES);
    assertThat(Files.exists(fifo)).isTrue();
    assertThat(Files.isRegularFile(fifo)).isFalse();
  }

  private static byte[] readAll(Path fifo) {
    try (InputStream in = Files.newInputStream(fifo)) {
      return in.readAllBytes();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void unwritableDirectory_saysCannotWriteWhy_andExitsOne() throws Exception {
    Path locked = Files.createDirectory(dir.resolve("locked"));
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
    // root ignores the mode: sysfs takes no new file from anyone
    Path target = (Files.isWritable(locked) ? Path.of("/sys") : locked).resolve("m.png");
    try {
      Run run = run(render(target));
      assertThat(run.code()).as(run.stderr()).isEqualTo(Mcm.EXIT_FAILURE);
      assertThat(run.stderr()).isEqualTo("mcm render: cannot write " + target + ": Permission denied\n");
    } finally {
      Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @Test
  void aDirectory_saysCannotWriteWhy() {
    Run run = run(render(dir));
    assertThat(run.code()).as(run.stderr()).isEqualTo(Mcm.EXIT_FAILURE);
    assertThat(run.stderr()).isEqualTo("mcm render: cannot write " + dir + ": Is a directory\n");
  }

  /**
   * SIGTERM to a real {@code mcm render} while it writes: its shutdown hook removes the temporary file, and the
   * existing file is untouched.
   */
  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aSignalMidRender_removesOnlyTheTemporaryFile() throws Exception {
    Path png = dir.resolve("m.png");
    Files.write(png, PRECIOUS);
    String java = ProcessHandle.current().info().command().orElse(
        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    Process mcm = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        Mcm.class.getName(), "render", "-w", "1", "-N", "200000", "-o", png.toString(),
        "3000", "-0.630", "0", "1.4", "1.2")
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("mcm.log").toFile())
        .start();
    try {
      // a temporary file with bytes in it: at least one 64 KiB buffer of the PNG written
      Path part = null;
      while (mcm.isAlive() && (part == null || Files.size(part) == 0)) {
        Thread.sleep(50); // polling another process's files: there is nothing to wait on
        try (Stream<Path> files = Files.list(dir)) {
          part = files.filter(p -> p.getFileName().toString().startsWith(".m.png.mcm-")).findFirst().orElse(null);
        }
      }
      assertThat(mcm.isAlive()).as(Files.readString(dir.resolve("mcm.log"))).isTrue();
      mcm.destroy(); // SIGTERM
      assertThat(mcm.waitFor(1, TimeUnit.MINUTES)).isTrue();
      assertThat(mcm.exitValue()).isNotZero();
      assertThat(Files.readAllBytes(png)).isEqualTo(PRECIOUS);
      assertThat(namesIn(dir)).containsExactly("m.png", "mcm.log");
    } finally {
      mcm.destroyForcibly();
    }
  }
}
