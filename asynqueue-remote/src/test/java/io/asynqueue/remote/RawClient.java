package io.asynqueue.remote;

import io.asynqueue.remote.internal.FrameMac;
import io.asynqueue.remote.internal.Handshake;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A blocking client that speaks the protocol by hand, to test what the server does with what a RemoteWorker never sends. */
final class RawClient implements AutoCloseable {

  final Socket socket;
  final DataInputStream in;
  final OutputStream out;
  byte[] serverHello;
  byte[] serverNonce;
  byte[] clientNonce;
  /** The tags of the frames sent and received once authenticated with a secret. */
  FrameMac sendMac;
  FrameMac receiveMac;

  RawClient(int port) throws IOException {
    this(port, null);
  }

  /** From another loopback address, such as 127.0.0.2 (a different client to the server's per-address throttle). */
  RawClient(int port, String localAddress) throws IOException {
    socket = localAddress == null ? new Socket("127.0.0.1", port)
        : new Socket(java.net.InetAddress.getByName("127.0.0.1"), port,
            java.net.InetAddress.getByName(localAddress), 0);
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(10_000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  /** Reads the server's HELLO. */
  RawClient hello() throws IOException {
    serverHello = in.readNBytes(Handshake.SERVER_HELLO);
    serverNonce = java.util.Arrays.copyOfRange(serverHello, 6, 38);
    return this;
  }

  /** The client's HELLO, proving {@code secret} (or zeros for {@code null}). */
  byte[] clientHello(String secret) {
    clientNonce = Handshake.nonce();
    byte[] key = secret == null ? null : secret.getBytes(StandardCharsets.UTF_8);
    return Handshake.clientHello(clientNonce, Handshake.proof(key, true, serverNonce, clientNonce)).getBytes();
  }

  /** Authenticates and reads the WELCOME and the class list; returns the class names. */
  RawClient authenticate(String secret) throws IOException {
    hello();
    out.write(clientHello(secret));
    out.flush();
    byte[] welcome = in.readNBytes(Handshake.WELCOME);
    if (welcome[3] != '1') {
      throw new IOException("rejected: " + new String(welcome, 0, Math.min(5, welcome.length),
          StandardCharsets.ISO_8859_1));
    }
    byte[] key = secret == null ? null : secret.getBytes(StandardCharsets.UTF_8);
    sendMac = FrameMac.of(key, serverNonce, clientNonce, true);
    receiveMac = FrameMac.of(key, serverNonce, clientNonce, false);
    readFrame(); // CLASSES
    return this;
  }

  void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Sends one frame: a length, then the body; in a sealed record of its own once authenticated with a secret. */
  void sendFrame(byte[] body) throws IOException {
    io.vertx.core.buffer.Buffer f = io.vertx.core.buffer.Buffer.buffer(4 + body.length).appendInt(body.length)
        .appendBytes(body);
    if (sendMac == null) {
      send(f.getBytes());
      return;
    }
    ByteArrayOutputStream records = new ByteArrayOutputStream();
    sendMac.seal(f, r -> records.writeBytes(r.getBytes()));
    send(records.toByteArray());
  }

  /** Frames of a record read but not yet returned. */
  private final java.util.ArrayDeque<byte[]> unread = new java.util.ArrayDeque<>();

  /** @return the next frame's body, its record's tag checked once authenticated with a secret */
  byte[] readFrame() throws IOException {
    if (!unread.isEmpty()) {
      return unread.poll();
    }
    int n = in.readInt();
    byte[] f = in.readNBytes(n);
    if (receiveMac == null) {
      return f;
    }
    if (!receiveMac.verify(f, f.length)) {
      throw new IOException("a record from the server failed its integrity check");
    }
    FrameMac.open(f, f.length, Integer.MAX_VALUE, unread::add);
    return unread.poll();
  }

  /** @return whether the server closed the connection (reading what it sends until then) */
  boolean closedByServer() throws IOException {
    try {
      while (in.read() >= 0) {
        // drain
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (EOFException | java.net.SocketException e) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** Captures what is written to System.err (where slf4j-simple logs) while it is open. */
  static final class Stderr implements AutoCloseable {
    private final PrintStream saved = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    Stderr() {
      System.setErr(new PrintStream(new OutputStream() {
        @Override
        public void write(int b) {
          captured.write(b);
          saved.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
          captured.write(b, off, len);
          saved.write(b, off, len);
        }
      }, true, StandardCharsets.UTF_8));
    }

    String text() {
      return captured.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
      System.setErr(saved);
    }
  }
}
