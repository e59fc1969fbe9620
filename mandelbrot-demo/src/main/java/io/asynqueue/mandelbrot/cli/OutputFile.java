package io.asynqueue.mandelbrot.cli;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Where {@code mcm render -o FILE} writes the PNG.
 *
 * <p>A regular file (or a new one) is written as a temporary file beside it, {@code .NAME.mcm-RANDOM.part}, which
 * {@link #commit()} renames onto it once the render has succeeded. A failure ({@link #close()} before
 * {@code commit()}) or a signal (a shutdown hook) removes that temporary file and nothing else: an existing file is
 * untouched unless the render succeeds, and never left half written. A symbolic link to a file is followed, so the
 * file it points to is replaced, not the link.
 *
 * <p>Anything else (a device such as {@code /dev/null}, a pipe such as {@code /dev/stdout} or a FIFO, any path under
 * {@code /dev} or {@code /proc}) is written directly: opened without truncating, never created, never removed.
 *
 * <p>Every failure to open, write or rename is an {@link IOException} whose message is
 * {@code cannot write FILE: reason}.
 */
final class OutputFile implements AutoCloseable {

  private static final int BUFFER = 1 << 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** The path as given, for messages. */
  private final Path target;
  /** The regular file the temporary file is renamed onto; {@code null} when written directly. */
  private final Path destination;
  /** The temporary file; {@code null} when written directly. */
  private final Path temp;
  private final OutputStream stream;
  private final Thread hook;
  /** Committed or discarded. Guarded by this. */
  private boolean settled;

  private OutputFile(Path target, Path destination, Path temp, OutputStream raw) {
    this.target = target;
    this.destination = destination;
    this.temp = temp;
    this.stream = new BufferedOutputStream(new Messages(raw), BUFFER);
    if (temp == null) {
      hook = null;
    } else {
      hook = new Thread(this::discard, "mcm-render-remove-" + temp.getFileName());
      Runtime.getRuntime().addShutdownHook(hook);
    }
  }

  /**
   * Opens the output: creates the temporary file beside a regular file, or opens anything else directly.
   *
   * @param target the path given to {@code -o}
   * @return the output
   * @throws IOException {@code cannot write FILE: reason}
   */
  static OutputFile open(Path target) throws IOException {
    try {
      if (Files.isDirectory(target)) {
        throw new FileSystemException(target.toString(), null, "Is a directory");
      }
      if (isWrittenDirectly(target)) {
        return new OutputFile(target, null, null, Files.newOutputStream(target, StandardOpenOption.WRITE));
      }
      Path destination = Files.exists(target) ? target.toRealPath() : target.toAbsolutePath().normalize();
      Path temp = destination.resolveSibling("." + destination.getFileName() + ".mcm-"
          + HexFormat.of().toHexDigits(RANDOM.nextLong()) + ".part");
      OutputStream raw = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      try {
        if (Files.exists(destination)) {
          Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(destination));
        }
      } catch (UnsupportedOperationException | IOException e) {
        // not a POSIX file system, or not ours to read: the new file keeps the default mode
      }
      return new OutputFile(target, destination, temp, raw);
    } catch (IOException e) {
      throw cannotWrite(target, e);
    }
  }

  /**
   * Whether a path is written in place rather than through a temporary file: anything under {@code /dev} or
   * {@code /proc} ({@code /dev/stdout} is a link to the shell's file or pipe, which must be written, not
   * replaced), and anything that exists and is not a regular file (links followed).
   */
  static boolean isWrittenDirectly(Path target) {
    Path absolute = target.toAbsolutePath().normalize();
    if (absolute.startsWith("/dev") || absolute.startsWith("/proc")) {
      return true;
    }
    return Files.exists(target) && !Files.isRegularFile(target);
  }

  /** @return where the PNG's bytes go; closing it does not commit */
  OutputStream stream() {
    return stream;
  }

  /**
   * The render succeeded: renames the temporary file onto the target (closing the stream first).
   *
   * @throws IOException {@code cannot write FILE: reason}; the temporary file is removed then
   */
  synchronized void commit() throws IOException {
    if (settled) {
      throw new IOException("cannot write " + target + ": the render was stopped");
    }
    try {
      stream.close();
      if (temp != null) {
        try {
          Files.move(temp, destination, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(temp, destination, StandardCopyOption.REPLACE_EXISTING);
        }
      }
      settled = true;
      removeHook();
    } catch (IOException e) {
      close();
      throw cannotWrite(target, e);
    }
  }

  /** Unless committed: closes the stream and removes the temporary file (only that). */
  @Override
  public void close() {
    discard();
    removeHook();
  }

  private synchronized void discard() {
    if (settled) {
      return;
    }
    settled = true;
    try {
      stream.close();
    } catch (IOException e) {
      // a failure is being reported already
    }
    if (temp != null) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException e) {
        // nothing more to do: it is a hidden .part file beside the target
      }
    }
  }

  private void removeHook() {
    if (hook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutting down: the hook runs (and finds nothing to do once committed)
      }
    }
  }

  /** {@code cannot write FILE: reason}, as {@code cp} would say it. */
  static IOException cannotWrite(Path target, IOException e) {
    if (e.getMessage() != null && e.getMessage().startsWith("cannot write ")) {
      return e;
    }
    return new IOException("cannot write " + target + ": " + reason(e), e);
  }

  private static String reason(IOException e) {
    if (e instanceof FileSystemException f) {
      if (f.getReason() != null && !f.getReason().isBlank()) {
        return f.getReason();
      }
      if (e instanceof AccessDeniedException) {
        return "Permission denied";
      }
      if (e instanceof NoSuchFileException) {
        return "No such file or directory";
      }
      if (e instanceof FileAlreadyExistsException) {
        return "File exists";
      }
    }
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  /** Gives every write failure the {@code cannot write FILE: reason} message. */
  private final class Messages extends FilterOutputStream {

    Messages(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      try {
        out.write(b, off, len);
      } catch (IOException e) {
        throw cannotWrite(target, e);
      }
    }

    @Override
    public void flush() throws IOException {
      try {
        out.flush();
      } catch (IOException e) {
        throw cannotWrite(target, e);
      }
    }

    @Override
    public void close() throws IOException {
      try {
        out.close();
      } catch (IOException e) {
        throw cannotWrite(target, e);
      }
    }
  }
}
