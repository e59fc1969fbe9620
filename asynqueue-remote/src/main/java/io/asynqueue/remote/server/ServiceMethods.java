package io.asynqueue.remote.server;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The methods a service object exposes to remote callers, by name and number of arguments: the public instance
 * methods its class declares, except overrides of {@link Object}'s and those whose names start with {@code _}.
 * Static methods are never exposed, nor methods inherited from a superclass or an interface (a factory beside the
 * service, or a framework's base class, must not become callable by accident): to expose one, declare it in the
 * service class. Two exposed methods with the same name and arity are ambiguous and refused when the server is made.
 */
final class ServiceMethods {

  private static final Set<String> OBJECT_METHODS = Set.of("equals", "hashCode", "toString", "getClass", "notify",
      "notifyAll", "wait", "clone", "finalize");

  private final Object service;
  private final Map<String, Method[]> byName = new HashMap<>(); // arity -> method, null where none
  /** Why a public method is not exposed, by name: for the refusal's message. */
  private final Map<String, String> hidden = new HashMap<>();

  ServiceMethods(Object service) {
    this.service = service;
    if (service == null) {
      return;
    }
    Class<?> type = service.getClass();
    Map<String, Map<Integer, Method>> found = new HashMap<>();
    for (Method m : type.getMethods()) {
      if (m.getDeclaringClass() != type && m.getDeclaringClass() != Object.class) {
        hidden.putIfAbsent(m.getName(), "is inherited from " + m.getDeclaringClass().getName()
            + " (only the methods the service class declares are callable)");
      }
    }
    for (Method m : type.getDeclaredMethods()) {
      if (Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers())) {
        hidden.put(m.getName(), "is static (only instance methods are callable)");
      }
      if (!exposed(m)) {
        continue;
      }
      Map<Integer, Method> arities = found.computeIfAbsent(m.getName(), k -> new HashMap<>());
      Method other = arities.put(m.getParameterCount(), m);
      if (other != null) {
        throw new IllegalArgumentException("service " + service.getClass().getName() + " has two public methods "
            + m.getName() + " taking " + m.getParameterCount() + " argument(s); remote calls find methods by name "
            + "and arity only: rename one, or start its name with _ to hide it");
      }
      m.trySetAccessible(); // a public method of a class that is not public
    }
    for (Map.Entry<String, Map<Integer, Method>> e : found.entrySet()) {
      int max = e.getValue().keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
      Method[] table = new Method[max + 1];
      e.getValue().forEach((arity, m) -> table[arity] = m);
      byName.put(e.getKey(), table);
    }
  }

  /** Whether a method the service class declares is exposed. */
  static boolean exposed(Method m) {
    int mod = m.getModifiers();
    return Modifier.isPublic(mod) && !Modifier.isStatic(mod) && !m.isSynthetic() && !m.isBridge()
        && !m.getName().startsWith("_") && !OBJECT_METHODS.contains(m.getName());
  }

  /**
   * @param name a method name
   * @param arity the number of arguments
   * @return the method, or {@code null}
   */
  Method find(String name, int arity) {
    Method[] table = byName.get(name);
    return table == null || arity >= table.length ? null : table[arity];
  }

  /**
   * Why a name and arity were not found, naming what the service does expose.
   *
   * @param name the name asked for
   * @param arity the arity asked for
   * @return the message
   */
  String notFound(String name, int arity) {
    if (service == null) {
      return "this server exposes no service, so no method " + name + " (it runs allowed task classes only)";
    }
    Method[] table = byName.get(name);
    String what = table != null ? "no method " + name + " taking " + arity + " argument(s)"
        : name.startsWith("_") ? "method " + name + " is not exposed (its name starts with _)"
        : hidden.containsKey(name) ? "method " + name + " is not exposed: it " + hidden.get(name)
        : "no method " + name;
    return what + " in service " + service.getClass().getName() + "; it exposes " + list();
  }

  /** @return the exposed methods as {@code name/arity}, sorted */
  String list() {
    Set<String> names = new TreeSet<>();
    byName.forEach((name, table) -> {
      for (int i = 0; i < table.length; i++) {
        if (table[i] != null) {
          names.add(name + "/" + i);
        }
      }
    });
    return names.isEmpty() ? "nothing" : String.join(", ", names);
  }

  /**
   * Runs a method.
   *
   * @param m the method
   * @param args its arguments
   * @return what it returned
   * @throws Throwable what it threw; an {@link IllegalArgumentException} naming the types when the arguments do
   *     not fit its parameters
   */
  Object invoke(Method m, Object[] args) throws Throwable {
    try {
      return m.invoke(service, args);
    } catch (InvocationTargetException e) {
      throw e.getCause() != null ? e.getCause() : e;
    } catch (IllegalArgumentException e) {
      List<String> given = new ArrayList<>();
      for (Object a : args) {
        given.add(a == null ? "null" : a.getClass().getSimpleName());
      }
      List<String> wanted = new ArrayList<>();
      for (Class<?> p : m.getParameterTypes()) {
        wanted.add(p.getSimpleName());
      }
      throw new IllegalArgumentException(m.getName() + " takes (" + String.join(", ", wanted) + ") but was given ("
          + String.join(", ", given) + ")");
    }
  }

  @Override
  public String toString() {
    return Arrays.toString(byName.keySet().toArray());
  }
}
