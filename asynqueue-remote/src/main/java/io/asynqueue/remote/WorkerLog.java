package io.asynqueue.remote;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The remote worker's logger. */
final class WorkerLog {

  static final Logger log = LoggerFactory.getLogger(RemoteWorker.class);

  private WorkerLog() {
  }
}
