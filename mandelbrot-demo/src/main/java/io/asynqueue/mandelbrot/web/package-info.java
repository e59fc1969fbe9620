/**
 * {@code mcm serve}: the zoomable Mandelbrot web page, its PNGs rendered row by row on the queue.
 */
package io.asynqueue.mandelbrot.web;
