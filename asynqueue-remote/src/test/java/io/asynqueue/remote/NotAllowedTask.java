package io.asynqueue.remote;

import io.asynqueue.Task0;

/** A task class registered on the test servers as data only: it must not run. */
public record NotAllowedTask(String what) implements Task0<String> {
  @Override
  public String call() {
    Tasks.touched.incrementAndGet();
    return "ran " + what;
  }
}
