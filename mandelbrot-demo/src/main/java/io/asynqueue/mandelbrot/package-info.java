/**
 * The Mandelbrot demo: the original mcmandelbrot renderer on an AsynQueue {@code TaskQueue}.
 *
 * <p>The pieces, from the inside out:
 * <ul>
 *   <li>{@link io.asynqueue.mandelbrot.ViewSpec}: what to render, a serializable record that travels with
 *       every row task;
 *   <li>{@link io.asynqueue.mandelbrot.MandelbrotValuer}: the kernel, escape counts with the original's
 *       shortcuts, five-point supersampling and the {@link io.asynqueue.mandelbrot.ColorMap};
 *   <li>{@link io.asynqueue.mandelbrot.RowSource}: rows in order as a Vert.x {@code ReadStream}; the one
 *       implementation that touches the queue is {@link io.asynqueue.mandelbrot.QueueRowSource} (one task
 *       per row, a bounded window, reordered by the core's {@code OrderedItemProducer});
 *   <li>{@link io.asynqueue.mandelbrot.PngWriteStream} over {@link io.asynqueue.mandelbrot.PngEncoder}: a
 *       streaming PNG encoder as a {@code WriteStream}, so a render is a {@code pipeTo}
 *       ({@link io.asynqueue.mandelbrot.Renderer}) and memory does not grow with the image.
 * </ul>
 * The command line is in {@code io.asynqueue.mandelbrot.cli}.
 */
package io.asynqueue.mandelbrot;
