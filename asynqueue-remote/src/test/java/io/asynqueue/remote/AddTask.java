package io.asynqueue.remote;

import io.asynqueue.Task2;

/** A task class on the test servers' allow-list. */
public record AddTask(int bonus) implements Task2<Integer, Integer, Integer> {
  @Override
  public Integer apply(Integer a, Integer b) {
    return a + b + bonus;
  }
}
