/**
 * Implementation of {@link io.asynqueue.pipeline.Pipeline}; no compatibility promise.
 * {@link io.asynqueue.pipeline.impl.Engine} explains how a run flows and ends.
 */
package io.asynqueue.pipeline.impl;
