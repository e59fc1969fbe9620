package io.asynqueue.internal.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.ClosureSerializer;
import com.esotericsoftware.kryo.serializers.CollectionSerializer;
import com.esotericsoftware.kryo.serializers.DefaultArraySerializers.ObjectArraySerializer;
import com.esotericsoftware.kryo.serializers.DefaultArraySerializers.StringArraySerializer;
import com.esotericsoftware.kryo.serializers.DefaultSerializers.TreeMapSerializer;
import com.esotericsoftware.kryo.serializers.DefaultSerializers.TreeSetSerializer;
import com.esotericsoftware.kryo.serializers.MapSerializer;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What makes a {@linkplain KryoCodec#strict strict} Kryo safe to feed untrusted bytes, besides registration:
 * no class is ever looked up by a name read from the wire, object graphs are at most {@link #MAX_DEPTH} deep, and
 * every serializer that allocates for a length read from the wire checks it first (see {@link BoundedInput}).
 */
final class StrictSerializers {

  /** How deep an object graph may nest on a strict codec. */
  static final int MAX_DEPTH = 256;

  private StrictSerializers() {
  }

  /** A class resolver that never loads a class named on the wire: registered IDs only. */
  static final class IdOnlyClassResolver extends DefaultClassResolver {
    @Override
    protected Registration readName(Input input) {
      throw new KryoException("a class given by name; only registered classes are accepted");
    }
  }

  /**
   * Replaces, for every class registered so far, a serializer that allocates for a length from the wire with one
   * that checks the length first.
   *
   * @param kryo a strict Kryo, after all registrations
   */
  static void guard(Kryo kryo) {
    for (int id = 0; id < 4096; id++) {
      Registration r = kryo.getRegistration(id);
      if (r == null) {
        continue;
      }
      Serializer<?> s = r.getSerializer();
      Class<?> sc = s.getClass();
      if (sc == CollectionSerializer.class) {
        r.setSerializer(new BoundedCollectionSerializer());
      } else if (sc == TreeSetSerializer.class) {
        r.setSerializer(new BoundedTreeSetSerializer());
      } else if (sc == MapSerializer.class) {
        r.setSerializer(new BoundedMapSerializer());
      } else if (sc == TreeMapSerializer.class) {
        r.setSerializer(new BoundedTreeMapSerializer());
      } else if (s instanceof ObjectArraySerializer || s instanceof StringArraySerializer) {
        r.setSerializer(new LengthFirst<>(s, 1)); // length + 1 comes first
      } else if (s instanceof ClosureSerializer) {
        r.setSerializer(new LengthFirst<>(s, 0)); // the count of captured arguments comes first
      }
    }
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static final class BoundedCollectionSerializer extends CollectionSerializer<Collection> {
    @Override
    protected Collection create(Kryo kryo, Input input, Class<? extends Collection> type, int size) {
      BoundedInput.charge(input, size);
      return super.create(kryo, input, type, size);
    }
  }

  private static final class BoundedTreeSetSerializer extends TreeSetSerializer {
    @Override
    protected TreeSet create(Kryo kryo, Input input, Class<? extends TreeSet> type, int size) {
      BoundedInput.charge(input, size);
      return super.create(kryo, input, type, size);
    }
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static final class BoundedMapSerializer extends MapSerializer<Map> {
    @Override
    protected Map create(Kryo kryo, Input input, Class<? extends Map> type, int size) {
      BoundedInput.charge(input, size);
      return super.create(kryo, input, type, size);
    }
  }

  private static final class BoundedTreeMapSerializer extends TreeMapSerializer {
    @Override
    protected TreeMap create(Kryo kryo, Input input, Class<? extends TreeMap> type, int size) {
      BoundedInput.charge(input, size);
      return super.create(kryo, input, type, size);
    }
  }

  /** A serializer whose encoding starts with a length (a positive varint, plus {@code offset}): checked first. */
  private static final class LengthFirst<T> extends Serializer<T> {
    private final Serializer<T> delegate;
    private final int offset;

    @SuppressWarnings("unchecked")
    LengthFirst(Serializer<?> delegate, int offset) {
      super(delegate.getAcceptsNull(), delegate.isImmutable());
      this.delegate = (Serializer<T>) delegate;
      this.offset = offset;
    }

    @Override
    public void write(Kryo kryo, Output output, T object) {
      delegate.write(kryo, output, object);
    }

    @Override
    public T read(Kryo kryo, Input input, Class<? extends T> type) {
      if (input instanceof BoundedInput) {
        int start = input.position();
        int length = input.readVarInt(true) - offset;
        input.setPosition(start);
        BoundedInput.charge(input, Math.max(0, length));
      }
      return delegate.read(kryo, input, type);
    }

    @Override
    public T copy(Kryo kryo, T original) {
      return delegate.copy(kryo, original);
    }
  }
}
