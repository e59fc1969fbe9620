package io.asynqueue.impl;

import java.util.PriorityQueue;

/** The queued jobs of one series, best (lowest priority, then oldest) first. Used under the queue's lock. */
final class SeriesQueue {

  final String name;
  final PriorityQueue<JobImpl> heap = new PriorityQueue<>(JobImpl::compareTo);
  /** Index in the queue's list of non-empty series, or -1. */
  int slot = -1;

  SeriesQueue(String name) {
    this.name = name;
  }
}
