package io.asynqueue.internal.codec;

import io.asynqueue.CodecException;
import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.ClosureSerializer;
import com.esotericsoftware.kryo.serializers.ImmutableCollectionsSerializers;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import com.esotericsoftware.kryo.util.MapReferenceResolver;
import com.esotericsoftware.kryo.util.Pool;
import com.esotericsoftware.minlog.Log;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import org.objenesis.strategy.StdInstantiatorStrategy;

/**
 * Kryo 5, configured once for the wire: explicit registration IDs shared by both ends, closures (serializable
 * lambdas and method references) through {@link ClosureSerializer}, serializers for the JDK collections Kryo
 * 5.6 cannot rebuild on JDK 17 ({@code Collections.unmodifiable*}, {@code Arrays.asList}, {@code subList},
 * {@code List.of}), and a {@link Pool} because Kryo instances are not thread-safe.
 *
 * <p>Two modes. {@linkplain #trusted(ClassLoader) Trusted} (a pipe to a child JVM we started): any class may
 * travel, written by name, and references are tracked so shared and cyclic object graphs survive.
 * {@linkplain #strict(List, ClassLoader) Strict} (a network peer): registration is required, so only the
 * built-in types and the classes registered by the caller, in the same order on both ends, can be read.
 */
public final class KryoCodec {

  static {
    // ClosureSerializer logs WARN stack traces from its static initializer on JDK 17 (it then falls back to
    // the capturing class, which is what we want). Kryo's own debug output is never wanted on the wire.
    Log.set(Log.LEVEL_ERROR);
  }

  /**
   * The one ClosureSerializer every Kryo here shares. Each new instance sets the class's static fields again
   * (to SerializedLambda's readResolve, which JDK 17 will not make accessible, then back to null), so a Kryo
   * made on one thread made a lambda read on another fail with IllegalAccessException; made once, here, the
   * fields settle before any read.
   */
  private static final ClosureSerializer CLOSURES = new ClosureSerializer();

  /** The first registration ID left for callers of {@link #strict(List, ClassLoader)}. */
  public static final int FIRST_USER_ID = 100;

  private final boolean trusted;
  private final List<Class<?>> userClasses;
  private final ClassLoader classLoader;
  private final Pool<Kryo> pool;
  private final ThreadLocal<Kryo> local = ThreadLocal.withInitial(this::newKryo);

  private KryoCodec(boolean trusted, List<Class<?>> userClasses, ClassLoader classLoader) {
    this.trusted = trusted;
    this.userClasses = Collections.unmodifiableList(new ArrayList<>(userClasses)); // nulls are gaps
    this.classLoader = classLoader != null ? classLoader : KryoCodec.class.getClassLoader();
    this.pool = new Pool<>(true, false, 64) {
      @Override
      protected Kryo create() {
        return newKryo();
      }
    };
  }

  /**
   * A codec for a trusted channel: any class may travel, by name; references are tracked.
   *
   * @param classLoader where classes named on the wire are loaded from, {@code null} for this library's
   * @return the codec
   */
  public static KryoCodec trusted(ClassLoader classLoader) {
    return new KryoCodec(true, List.of(), classLoader);
  }

  /**
   * A codec for an untrusted channel: registration required; the built-in types, then {@code userClasses}
   * with IDs from {@link #FIRST_USER_ID} in list order (both ends must list the same classes in the same
   * order). A {@code null} entry leaves its ID unused (a class the other end has and this one does not).
   *
   * <p>It is hardened for hostile input: no class is looked up by a name from the wire; object graphs nest
   * at most 256 deep; and when frames are read through a {@link BoundedInput}, no length in them can make it
   * allocate more than a small multiple of the frame's size.
   *
   * @param userClasses the extra classes allowed on the wire; {@code null} entries are gaps
   * @param classLoader where they are loaded from, {@code null} for this library's
   * @return the codec
   */
  public static KryoCodec strict(List<Class<?>> userClasses, ClassLoader classLoader) {
    return new KryoCodec(false, userClasses, classLoader);
  }

  /** @return whether any class may travel (a trusted channel) */
  public boolean isTrusted() {
    return trusted;
  }

  /**
   * The calling thread's own Kryo of this codec, for threads that encode or decode often (a runner's threads, an
   * event loop): no pool round trip. Not to be used re-entrantly.
   *
   * @return the Kryo
   */
  public Kryo local() {
    return local.get();
  }

  /** @return a Kryo from the pool; give it back with {@link #release(Kryo)} */
  public Kryo borrow() {
    return pool.obtain();
  }

  /**
   * Gives a Kryo back to the pool.
   *
   * @param kryo the Kryo from {@link #borrow()}
   */
  public void release(Kryo kryo) {
    pool.free(kryo);
  }

  /** @return a new, fully configured Kryo (for a thread that keeps its own) */
  public Kryo newKryo() {
    Kryo kryo = trusted ? new Kryo()
        : new Kryo(new StrictSerializers.IdOnlyClassResolver(), new MapReferenceResolver());
    if (!trusted) {
      kryo.setMaxDepth(StrictSerializers.MAX_DEPTH);
    }
    kryo.setRegistrationRequired(!trusted);
    kryo.setReferences(trusted);
    kryo.setClassLoader(classLoader);
    kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
    int id = 20;
    kryo.register(Object[].class, id++);
    kryo.register(Class.class, id++);
    kryo.register(ClosureSerializer.Closure.class, CLOSURES, id++);
    kryo.register(byte[].class, id++);
    kryo.register(int[].class, id++);
    kryo.register(long[].class, id++);
    kryo.register(double[].class, id++);
    kryo.register(float[].class, id++);
    kryo.register(short[].class, id++);
    kryo.register(char[].class, id++);
    kryo.register(boolean[].class, id++);
    kryo.register(String[].class, id++);
    kryo.register(ArrayList.class, id++);
    kryo.register(LinkedList.class, id++);
    kryo.register(HashMap.class, id++);
    kryo.register(LinkedHashMap.class, id++);
    kryo.register(TreeMap.class, id++);
    kryo.register(HashSet.class, id++);
    kryo.register(LinkedHashSet.class, id++);
    kryo.register(TreeSet.class, id++);
    kryo.register(BigInteger.class, id++);
    kryo.register(BigDecimal.class, id++);
    kryo.register(UUID.class, new UuidSerializer(), id++);
    kryo.register(Collections.emptyList().getClass(), id++);
    kryo.register(Collections.emptySet().getClass(), id++);
    kryo.register(Collections.emptyMap().getClass(), id++);
    kryo.register(Collections.singletonList(null).getClass(), id++);
    kryo.register(Collections.singleton(null).getClass(), id++);
    kryo.register(Collections.singletonMap(null, null).getClass(), id++);
    // JDK collections whose fields Kryo cannot reach on JDK 17: rebuilt from a copy of their elements.
    List<Object> sample = new ArrayList<>(List.of(1, 2, 3));
    kryo.register(Arrays.asList(1, 2).getClass(), new CopyListSerializer(l -> Arrays.asList(l.toArray())), id++);
    kryo.register(Collections.unmodifiableList(sample).getClass(),
        new CopyListSerializer(Collections::unmodifiableList), id++);
    kryo.register(Collections.unmodifiableList(new LinkedList<>()).getClass(),
        new CopyListSerializer(Collections::unmodifiableList), id++);
    kryo.register(Collections.unmodifiableCollection(sample).getClass(),
        new CopyListSerializer(Collections::unmodifiableCollection), id++);
    kryo.register(Collections.unmodifiableSet(new HashSet<>()).getClass(),
        new CopyListSerializer(l -> Collections.unmodifiableSet(new LinkedHashSet<>(l))), id++);
    kryo.register(Collections.unmodifiableMap(new HashMap<>()).getClass(),
        new CopyMapSerializer(Collections::unmodifiableMap), id++);
    kryo.register(sample.subList(0, 1).getClass(), new CopyListSerializer(l -> l), id++);
    kryo.register(Collections.synchronizedList(sample).getClass(),
        new CopyListSerializer(Collections::synchronizedList), id++);
    kryo.register(Collections.synchronizedMap(new HashMap<>()).getClass(),
        new CopyMapSerializer(Collections::synchronizedMap), id++);
    ImmutableCollectionsSerializers.addDefaultSerializers(kryo);
    if (!trusted) {
      // List.of, Set.of, Map.of and Stream.toList, rebuilt from a copy whose length is checked first
      kryo.register(List.of().getClass(), new CopyListSerializer(KryoCodec::immutableList), id++);
      kryo.register(List.of(1).getClass(), new CopyListSerializer(KryoCodec::immutableList), id++);
      kryo.register(Set.of().getClass(), new CopyListSerializer(l -> Set.copyOf(l)), id++);
      kryo.register(Set.of(1).getClass(), new CopyListSerializer(l -> Set.copyOf(l)), id++);
      kryo.register(Map.of().getClass(), new CopyMapSerializer(Map::copyOf), id++);
      kryo.register(Map.of(1, 1).getClass(), new CopyMapSerializer(Map::copyOf), id++);
    }
    id = FIRST_USER_ID;
    for (Class<?> c : userClasses) {
      if (c != null) {
        kryo.register(c, id);
      }
      id++;
    }
    if (!trusted) {
      StrictSerializers.guard(kryo);
    }
    return kryo;
  }

  /**
   * Writes any object with its class, turning every failure into a {@link CodecException} that names the class
   * that could not be written.
   *
   * @param kryo a Kryo of this codec
   * @param out where to
   * @param what what the object is, for the message (such as {@code "argument 2"})
   * @param value the object, may be {@code null}
   * @throws CodecException if it cannot be written
   */
  public static void writeObject(Kryo kryo, Output out, String what, Object value) {
    try {
      kryo.writeClassAndObject(out, value);
    } catch (Throwable e) { // KryoException, InaccessibleObjectException, StackOverflowError, ...
      kryo.reset();
      throw new CodecException(what + " of class " + className(value) + " cannot be serialized: " + rootMessage(e), e);
    }
  }

  /**
   * Reads an object written by {@link #writeObject}.
   *
   * @param kryo a Kryo of this codec
   * @param in where from
   * @param what what the object is, for the message
   * @return the object
   * @throws CodecException if it cannot be read
   */
  public static Object readObject(Kryo kryo, Input in, String what) {
    try {
      return kryo.readClassAndObject(in);
    } catch (Throwable e) {
      kryo.reset();
      throw new CodecException(what + " cannot be deserialized: " + rootMessage(e), e);
    }
  }

  /**
   * @param value any object
   * @return its class name, as a user would recognise it (lambdas named by their capturing class)
   */
  public static String className(Object value) {
    if (value == null) {
      return "null";
    }
    String name = value.getClass().getName();
    int lambda = name.indexOf("$$Lambda");
    return lambda > 0 ? "lambda in " + name.substring(0, lambda) : name;
  }

  /**
   * @param e a failure
   * @return the message of its deepest cause, with the cause's class when it has no message
   */
  public static String rootMessage(Throwable e) {
    Throwable t = e;
    String message = null;
    while (t != null) {
      if (t.getMessage() != null) {
        message = t.getClass().getSimpleName() + ": " + firstLine(t.getMessage());
      }
      if (t.getCause() == t) {
        break;
      }
      t = t.getCause();
    }
    return message != null ? message : e.getClass().getName();
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** UUIDs as two longs (Kryo 5.6 has no serializer for them and cannot reach their fields). */
  private static final class UuidSerializer extends Serializer<UUID> {
    UuidSerializer() {
      setImmutable(true);
    }

    @Override
    public void write(Kryo kryo, Output output, UUID uuid) {
      output.writeLong(uuid.getMostSignificantBits());
      output.writeLong(uuid.getLeastSignificantBits());
    }

    @Override
    public UUID read(Kryo kryo, Input input, Class<? extends UUID> type) {
      return new UUID(input.readLong(), input.readLong());
    }
  }

  private static List<Object> immutableList(List<Object> l) {
    return l.contains(null) ? Collections.unmodifiableList(l) : List.copyOf(l); // Stream.toList allows nulls
  }

  /** Writes a collection's elements; reads them into an ArrayList and rebuilds the original kind. */
  private static final class CopyListSerializer extends Serializer<Collection<Object>> {
    private final Function<List<Object>, Collection<Object>> rebuild;

    CopyListSerializer(Function<List<Object>, ? extends Collection<Object>> rebuild) {
      this.rebuild = Objects.requireNonNull(rebuild)::apply;
    }

    @Override
    public void write(Kryo kryo, Output output, Collection<Object> c) {
      output.writeVarInt(c.size(), true);
      for (Object o : c) {
        kryo.writeClassAndObject(output, o);
      }
    }

    @Override
    public Collection<Object> read(Kryo kryo, Input input, Class<? extends Collection<Object>> type) {
      int n = input.readVarInt(true);
      BoundedInput.charge(input, n);
      List<Object> list = new ArrayList<>(n);
      kryo.reference(list);
      for (int i = 0; i < n; i++) {
        list.add(kryo.readClassAndObject(input));
      }
      return rebuild.apply(list);
    }
  }

  /** Writes a map's entries; reads them into a LinkedHashMap and rebuilds the original kind. */
  private static final class CopyMapSerializer extends Serializer<Map<Object, Object>> {
    private final Function<Map<Object, Object>, Map<Object, Object>> rebuild;

    CopyMapSerializer(Function<Map<Object, Object>, Map<Object, Object>> rebuild) {
      this.rebuild = rebuild;
    }

    @Override
    public void write(Kryo kryo, Output output, Map<Object, Object> m) {
      output.writeVarInt(m.size(), true);
      for (Map.Entry<Object, Object> e : m.entrySet()) {
        kryo.writeClassAndObject(output, e.getKey());
        kryo.writeClassAndObject(output, e.getValue());
      }
    }

    @Override
    public Map<Object, Object> read(Kryo kryo, Input input, Class<? extends Map<Object, Object>> type) {
      int n = input.readVarInt(true);
      BoundedInput.charge(input, n);
      Map<Object, Object> map = new LinkedHashMap<>();
      kryo.reference(map);
      for (int i = 0; i < n; i++) {
        map.put(kryo.readClassAndObject(input), kryo.readClassAndObject(input));
      }
      return rebuild.apply(map);
    }
  }
}
