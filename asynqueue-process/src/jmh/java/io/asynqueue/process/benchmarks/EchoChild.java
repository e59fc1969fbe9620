package io.asynqueue.process.benchmarks;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;

/**
 * The raw baseline's child: echoes length-prefixed frames from stdin to stdout on one thread, flushing when no
 * more input is waiting (so pipelined frames go back in one write).
 */
public final class EchoChild {

  private EchoChild() {
  }

  /**
   * @param args none
   * @throws IOException never, in practice
   */
  public static void main(String[] args) throws IOException {
    BufferedInputStream raw = new BufferedInputStream(new FileInputStream(FileDescriptor.in), 65536);
    DataInputStream in = new DataInputStream(raw);
    BufferedOutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 65536);
    out.write(new byte[] {0, 0, 0, 0}); // ready
    out.flush();
    byte[] buf = new byte[1 << 16];
    try {
      while (true) {
        int n = in.readInt();
        in.readFully(buf, 0, n);
        out.write(n >>> 24);
        out.write(n >>> 16);
        out.write(n >>> 8);
        out.write(n);
        out.write(buf, 0, n);
        if (raw.available() == 0) {
          out.flush();
        }
      }
    } catch (EOFException e) {
      System.exit(0);
    }
  }
}
