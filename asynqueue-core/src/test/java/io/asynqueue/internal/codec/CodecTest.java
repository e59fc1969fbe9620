package io.asynqueue.internal.codec;

import io.asynqueue.CodecException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.asynqueue.Task;
import io.asynqueue.Task1;
import io.asynqueue.Task2;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class CodecTest {

  static Object roundTrip(KryoCodec codec, Object value) {
    Kryo kryo = codec.borrow();
    try {
      Output out = new Output(256, -1);
      KryoCodec.writeObject(kryo, out, "value", value);
      return KryoCodec.readObject(kryo, new Input(out.getBuffer(), 0, out.position()), "value");
    } finally {
      codec.release(kryo);
    }
  }

  static int twice(int x) {
    return 2 * x;
  }

  @Test
  void closuresAndJdkCollections_travelOnATrustedCodec() throws Exception {
    KryoCodec codec = KryoCodec.trusted(null);
    int base = 7;
    Task1<Integer, Integer> lambda = x -> x + base;
    @SuppressWarnings("unchecked")
    Task1<Integer, Integer> back = (Task1<Integer, Integer>) roundTrip(codec, lambda);
    assertThat(back.apply(1)).isEqualTo(8);
    Task1<Integer, Integer> ref = CodecTest::twice;
    @SuppressWarnings("unchecked")
    Task<Integer> refBack = (Task<Integer>) roundTrip(codec, ref);
    assertThat(refBack.invoke(new Object[] {4})).isEqualTo(8);
    List<Integer> base4 = new ArrayList<>(List.of(1, 2, 3, 4));
    for (Object value : List.of(List.of(1, 2), Set.of("a"), Map.of("k", 1), Arrays.asList(1, 2),
        Collections.unmodifiableList(base4), base4.subList(1, 3), Collections.unmodifiableMap(new HashMap<>(Map.of(1, 2))),
        Collections.emptyList(), Collections.singletonList(3), UUID.randomUUID(), new int[] {1, 2}, "s")) {
      Object back2 = roundTrip(codec, value);
      if (value instanceof int[] a) {
        assertThat((int[]) back2).containsExactly(a);
      } else {
        assertThat(back2).isEqualTo(value);
      }
    }
    // a cyclic graph survives on the trusted codec (references on)
    List<Object> cyclic = new ArrayList<>();
    cyclic.add(cyclic);
    @SuppressWarnings("unchecked")
    List<Object> cycBack = (List<Object>) roundTrip(codec, cyclic);
    assertThat(cycBack.get(0)).isSameAs(cycBack);
  }

  /**
   * Kryo's ClosureSerializer keeps what it learns of SerializedLambda in static fields, and each new instance
   * sets them again (to a method it cannot make accessible on JDK 17, then back to null): a lambda read while
   * another thread made a Kryo failed with IllegalAccessException (seen once in a remote contract run). Many
   * threads make Kryos and read lambdas at once; every read must succeed.
   */
  @Test
  @SuppressWarnings("unchecked")
  void closuresRead_whileOtherThreadsMakeKryos_allSucceed() throws Exception {
    KryoCodec codec = KryoCodec.trusted(null);
    Task1<Integer, Integer> task = CodecTest::twice;
    Output out = new Output(256, -1);
    KryoCodec.writeObject(codec.newKryo(), out, "task", task);
    byte[] bytes = Arrays.copyOf(out.getBuffer(), out.position());
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread thread = new Thread(() -> {
        for (int i = 0; i < 2_000 && failure.get() == null; i++) {
          Kryo kryo = codec.newKryo(); // a new ClosureSerializer each time
          try {
            Object read = KryoCodec.readObject(kryo, new Input(bytes), "the task");
            if (((Task1<Integer, Integer>) read).apply(4) != 8) {
              failure.compareAndSet(null, new AssertionError("read a wrong task"));
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        }
      });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(failure.get()).isNull();
  }

  @Test
  void whatCannotBeWritten_isNamed() {
    KryoCodec codec = KryoCodec.trusted(null);
    Thread t = new Thread(() -> { });
    assertThatThrownBy(() -> roundTrip(codec, t)).isInstanceOf(CodecException.class)
        .hasMessageStartingWith("value of class java.lang.Thread cannot be serialized");
    Task2<Integer, Integer, Integer> capturing = (a, b) -> a + b + t.hashCode();
    assertThatThrownBy(() -> roundTrip(codec, capturing)).isInstanceOf(CodecException.class)
        .hasMessageContaining("lambda in " + CodecTest.class.getName());
  }

  record Point(int x, int y) {
  }

  @Test
  void aStrictCodec_readsOnlyRegisteredClasses() {
    KryoCodec strict = KryoCodec.strict(List.of(Point.class), null);
    assertThat(roundTrip(strict, new Point(1, 2))).isEqualTo(new Point(1, 2));
    assertThat(roundTrip(strict, List.of(1, "a"))).isEqualTo(List.of(1, "a"));
    assertThatThrownBy(() -> roundTrip(strict, new java.util.concurrent.atomic.AtomicInteger()))
        .isInstanceOf(CodecException.class).hasMessageContaining("not registered");
  }

  // ---------------------------------------------------------------- strict codec against hostile bytes

  record Holder(String[] names, List<Object> items, Map<String, Object> map) {
  }

  static Object strictRead(KryoCodec codec, byte[] bytes) {
    Kryo kryo = codec.borrow();
    try {
      return KryoCodec.readObject(kryo, new BoundedInput(bytes, 0, bytes.length), "value");
    } finally {
      codec.release(kryo);
    }
  }

  static byte[] strictWrite(KryoCodec codec, Object value) {
    Kryo kryo = codec.borrow();
    try {
      Output out = new Output(256, -1);
      KryoCodec.writeObject(kryo, out, "value", value);
      return Arrays.copyOf(out.getBuffer(), out.position());
    } finally {
      codec.release(kryo);
    }
  }

  @Test
  void honestDataOfEveryShape_passesTheLengthChecks() {
    KryoCodec strict = KryoCodec.strict(List.of(Point.class, Holder.class), null);
    StringBuilder unicode = new StringBuilder();
    for (int n : new int[] {0, 1, 2, 31, 32, 33, 63, 64, 65, 8191, 8192, 8193, 1 << 20}) {
      unicode.setLength(0);
      for (int i = 0; i < n; i++) {
        unicode.append(i % 3 == 0 ? '\u00e9' : i % 3 == 1 ? 'x' : '\u20ac');
      }
      String u = unicode.toString();
      String ascii = "a".repeat(n);
      assertThat(strictRead(strict, strictWrite(strict, u))).isEqualTo(u);
      assertThat(strictRead(strict, strictWrite(strict, ascii))).isEqualTo(ascii);
    }
    List<Object> nested = new ArrayList<>();
    List<Object> inner = nested;
    for (int i = 0; i < 100; i++) {
      List<Object> next = new ArrayList<>();
      inner.add(next);
      inner.add("level " + i);
      inner = next;
    }
    Holder h = new Holder(new String[] {"a", null, "b"},
        new ArrayList<>(List.of(1, 2L, 3.0, new int[0], new byte[1000], new long[] {1, 2}, List.of(), Set.of(1))),
        new HashMap<>(Map.of("k", List.of(new Point(1, 2)))));
    Holder back = (Holder) strictRead(strict, strictWrite(strict, h));
    assertThat(back.names()).containsExactly("a", null, "b");
    assertThat(back.map()).isEqualTo(h.map());
    for (Object value : List.of(nested, Map.of(1, 2), List.of(1, 2, 3), java.util.stream.Stream.of(1, null).toList(),
        new java.util.TreeMap<>(Map.of("a", 1, "b", 2)), new java.util.TreeSet<>(Set.of(3, 1, 2)),
        new Object[] {1, "x", null}, new double[] {1.5, 2.5}, new boolean[] {true}, new char[] {'a'},
        new java.math.BigInteger("123456789012345678901234567890"), UUID.randomUUID())) {
      Object copy = strictRead(strict, strictWrite(strict, value));
      if (value instanceof Object[] a) {
        assertThat((Object[]) copy).containsExactly(a);
      } else if (value.getClass().isArray()) {
        assertThat(copy).isInstanceOf(value.getClass());
      } else {
        assertThat(copy).isEqualTo(value);
      }
    }
  }

  @Test
  @Timeout(30)
  void lyingLengths_fail_withoutAllocatingWhatTheyClaim() {
    KryoCodec strict = KryoCodec.strict(List.of(Point.class, Holder.class), null);
    // each sample is written honestly, then its first length is replaced by a huge one
    long before = usedHeap();
    int failures = 0;
    for (Object value : List.of("\u00e9".repeat(100), new byte[100], new int[100], new long[100], new double[100],
        new Object[100], new String[100], new ArrayList<>(java.util.Collections.nCopies(100, 1)),
        new HashMap<>(Map.of(1, 1)), List.of(1, 2, 3), Set.of(1, 2, 3), Map.of(1, 2, 3, 4),
        new java.util.TreeSet<>(Set.of(1)), new java.util.TreeMap<>(Map.of(1, 1)),
        Collections.unmodifiableList(new ArrayList<>(List.of(1))))) {
      byte[] honest = strictWrite(strict, value);
      for (int at = 1; at < Math.min(honest.length, 4); at++) {
        for (byte[] huge : new byte[][] {{(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07},
            {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x3f}, {(byte) 0xfe, (byte) 0xff, 0x7f}}) {
          byte[] lie = new byte[at + huge.length + honest.length - at];
          System.arraycopy(honest, 0, lie, 0, at);
          System.arraycopy(huge, 0, lie, at, huge.length);
          System.arraycopy(honest, at, lie, at + huge.length, honest.length - at);
          try {
            strictRead(strict, lie);
          } catch (CodecException e) {
            failures++;
          }
        }
      }
    }
    assertThat(failures).isGreaterThan(20);
    // a string header claiming a billion characters, alone in a frame
    byte stringClass = strictWrite(strict, "\u00e9")[0];
    assertThatThrownBy(() -> strictRead(strict, new byte[] {stringClass, (byte) 0xc1, (byte) 0xff, (byte) 0xff, 0x7f}))
        .isInstanceOf(CodecException.class).hasMessageContaining("does not fit");
    assertThat(usedHeap() - before).isLessThan(256L << 20);
  }

  @Test
  void aStrictCodec_refusesClassNamesAndDeepNesting() {
    KryoCodec trusted = KryoCodec.trusted(null);
    KryoCodec strict = KryoCodec.strict(List.of(), null);
    byte[] byName = strictWrite(trusted, new Point(1, 2));
    assertThatThrownBy(() -> strictRead(strict, byName)).isInstanceOf(CodecException.class)
        .hasMessageContaining("only registered classes");
    List<Object> deep = new ArrayList<>();
    List<Object> inner = deep;
    for (int i = 0; i < 1000; i++) {
      List<Object> next = new ArrayList<>();
      inner.add(next);
      inner = next;
    }
    byte[] deepBytes = strictWrite(KryoCodec.strict(List.of(), null), List.of(1)); // writing is not limited...
    assertThat(strictRead(strict, deepBytes)).isEqualTo(List.of(1));
    assertThatThrownBy(() -> strictWrite(strict, deep)).isInstanceOf(CodecException.class)
        .hasMessageContaining("depth");
  }

  @Test
  void gapsInTheClassList_keepTheOtherIds() {
    KryoCodec full = KryoCodec.strict(List.of(Holder.class, Point.class), null);
    KryoCodec gap = KryoCodec.strict(java.util.Arrays.asList(null, Point.class), null);
    assertThat(strictRead(gap, strictWrite(full, new Point(3, 4)))).isEqualTo(new Point(3, 4));
    assertThatThrownBy(() -> strictRead(gap, strictWrite(full, new Holder(null, null, null))))
        .isInstanceOf(CodecException.class);
  }

  static long usedHeap() {
    System.gc();
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  @Test
  @Timeout(60)
  void framesFromManyThreads_arriveWhole_andInOrderPerThread() throws Exception {
    Pipe pipe = Pipe.open();
    OutputStream os = Channels.newOutputStream(pipe.sink());
    InputStream is = Channels.newInputStream(pipe.source());
    AtomicReference<IOException> failed = new AtomicReference<>();
    FrameWriter writer = new FrameWriter(os, "test-writer", failed::set);
    int threads = 4;
    int perThread = 20_000;
    List<Thread> producers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread p = new Thread(() -> {
        Output out = new Output(128, -1);
        ThreadLocalRandom r = ThreadLocalRandom.current();
        try {
          for (int i = 0; i < perThread; i++) {
            out.reset();
            int start = FrameWriter.beginFrame(out);
            out.writeVarInt(id, true);
            out.writeVarInt(i, true);
            int pad = r.nextInt(10) == 0 ? r.nextInt(200_000) : r.nextInt(50);
            out.writeVarInt(pad, true);
            out.writeBytes(new byte[pad]);
            int len = FrameWriter.endFrame(out, start);
            if (len > FrameWriter.SMALL && r.nextBoolean()) {
              writer.writeDirect(out.getBuffer(), start, len);
              continue;
            }
            writer.append(out.getBuffer(), start, len);
            if (r.nextBoolean()) {
              writer.flush();
            } else {
              writer.flushLater();
            }
          }
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      });
      producers.add(p);
      p.start();
    }
    FrameReader reader = new FrameReader(is, 1 << 20);
    int[] next = new int[threads];
    for (int n = 0; n < threads * perThread; n++) {
      Input frame = reader.next();
      int id = frame.readVarInt(true);
      int i = frame.readVarInt(true);
      int pad = frame.readVarInt(true);
      assertThat(i).isEqualTo(next[id]);
      assertThat(frame.limit() - frame.position()).isEqualTo(pad);
      next[id]++;
    }
    for (Thread p : producers) {
      p.join();
    }
    writer.close();
    assertThat(reader.next()).isNull();
    assertThat(failed.get()).isNull();
  }
}
