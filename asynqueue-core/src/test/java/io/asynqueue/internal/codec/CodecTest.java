package io.asynqueue.internal.codec;

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
  void closures_and_jdk_collections_travel_on_a_trusted_codec() throws Exception {
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

  @Test
  void what_cannot_be_written_is_named() {
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
  void a_strict_codec_reads_only_registered_classes() {
    KryoCodec strict = KryoCodec.strict(List.of(Point.class), null);
    assertThat(roundTrip(strict, new Point(1, 2))).isEqualTo(new Point(1, 2));
    assertThat(roundTrip(strict, List.of(1, "a"))).isEqualTo(List.of(1, "a"));
    assertThatThrownBy(() -> roundTrip(strict, new java.util.concurrent.atomic.AtomicInteger()))
        .isInstanceOf(CodecException.class).hasMessageContaining("not registered");
  }

  @Test
  @Timeout(60)
  void frames_from_many_threads_arrive_whole_and_in_order_per_thread() throws Exception {
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
