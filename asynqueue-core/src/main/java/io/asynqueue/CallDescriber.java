package io.asynqueue;

import io.asynqueue.internal.NamedTask;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;
import java.util.StringJoiner;

/** Describes a call as {@code name(arg, arg)} for logs and errors. Only used off the hot path. */
final class CallDescriber {

  private static final int MAX_ARG = 60;

  private CallDescriber() {
  }

  static String describe(Object task, Object[] args) {
    StringJoiner joiner = new StringJoiner(", ", name(task) + "(", ")");
    for (Object arg : args) {
      joiner.add(abbreviate(arg));
    }
    return joiner.toString();
  }

  /**
   * The name of each class of task, worked out once per class (a lambda's class stands for one method): reading
   * a lambda's takes reflection, some microseconds, too slow for failing many calls at once, as a cancel does.
   * A slot per class, filled from the first instance seen (a ClassValue cannot see instances); a race fills it
   * twice with the same name.
   */
  private static final ClassValue<String[]> NAMES = new ClassValue<>() {
    @Override
    protected String[] computeValue(Class<?> cls) {
      return new String[1];
    }
  };

  /** The method a lambda or method reference calls, else the task's class name. */
  static String name(Object task) {
    if (task == null) {
      return "null";
    }
    if (task instanceof NamedTask named) {
      return named.taskName();
    }
    String[] slot = NAMES.get(task.getClass());
    String name = slot[0];
    if (name == null) {
      name = nameOf(task);
      slot[0] = name;
    }
    return name;
  }

  private static String nameOf(Object task) {
    Class<?> cls = task.getClass();
    if (cls.isSynthetic()) {
      try {
        Method replace = cls.getDeclaredMethod("writeReplace");
        replace.setAccessible(true);
        Object form = replace.invoke(task);
        if (form instanceof SerializedLambda) {
          SerializedLambda lambda = (SerializedLambda) form;
          String method = lambda.getImplMethodName();
          if (method.startsWith("lambda$")) {
            String owner = lambda.getImplClass();
            return "lambda@" + owner.substring(owner.lastIndexOf('/') + 1);
          }
          return method;
        }
      } catch (ReflectiveOperationException | RuntimeException e) {
        // not a serializable lambda: fall through to the class name
      }
      return "lambda";
    }
    String simple = cls.getSimpleName();
    return simple.isEmpty() ? cls.getName() : simple;
  }

  private static String abbreviate(Object arg) {
    String text;
    try {
      text = arg instanceof String ? "'" + arg + "'" : String.valueOf(arg);
    } catch (RuntimeException e) {
      text = arg.getClass().getSimpleName();
    }
    return text.length() <= MAX_ARG ? text : text.substring(0, MAX_ARG - 3) + "...";
  }
}
