package io.asynqueue.remote.impl;

/**
 * The remote task protocol, after the handshake (see {@link Handshake}). Each frame is a 4-byte big-endian length,
 * then that many bytes whose first is the frame's type. Numbers are Kryo varints, objects are written with their
 * class by {@link io.asynqueue.internal.codec.KryoCodec#writeObject} on a strict codec.
 *
 * <pre>
 * client to server
 *   CALL     id flags [credit credit-bytes, if ITERATOR] kind (0 name | 1 task-object) nargs arg...
 *   CREDIT   iterator-id elements bytes       (the client may take this many more elements, or bytes)
 *   CLOSE    iterator-id                      (drop the iterator)
 *   CANCEL   id                               (the call timed out: drop it, or interrupt it)
 *   PING                                      (answered by PONG; keeps an idle connection known alive)
 * server to client
 *   CLASSES  n name...                        (first frame: the classes registered on the wire, in ID order)
 *   VALUE    id value
 *   ERROR    id kind failure                  (kind 0: the task threw; 1: the server refused the call)
 *   ITER     id                               (the call returned an iterator; ELEMENTS follow, as credit allows)
 *   ELEMENTS id (1 element)* 0 last
 *   FRAGMENT id last bytes                    (a piece of a reply too large for one frame; the pieces of one id
 *                                              joined are that reply's frame body)
 *   PONG
 * failure: class message frames (declaring-class method file line)*   (see io.asynqueue.internal.codec.Wire)
 * </pre>
 *
 * <p>An iterator's ID is the ID of the call that made it. A frame the receiver cannot parse, or of an unknown type,
 * or longer than allowed, closes the connection; a call whose task or arguments cannot be decoded is answered with
 * an ERROR and the connection carries on.
 */
public final class RemoteWire {

  /** Run a call. */
  public static final byte CALL = 1;
  /** Grant an iterator more elements. */
  public static final byte CREDIT = 2;
  /** Drop an iterator. */
  public static final byte CLOSE = 3;
  /** Drop or interrupt a call. */
  public static final byte CANCEL = 4;
  /** Are you there. */
  public static final byte PING = 5;

  /** The classes on the wire. */
  public static final byte CLASSES = 16;
  /** A call's result. */
  public static final byte VALUE = 17;
  /** A call's, or an iterator's, failure. */
  public static final byte ERROR = 18;
  /** A call returned an iterator. */
  public static final byte ITER = 19;
  /** Elements of an iterator. */
  public static final byte ELEMENTS = 20;
  /** A piece of a large reply. */
  public static final byte FRAGMENT = 21;
  /** Here I am. */
  public static final byte PONG = 22;

  /** CALL flag: the caller wants an iterator (an Iterable result is iterated too). */
  public static final int FLAG_ITERATOR = 1;
  /** CALL flag: run before the other calls waiting. */
  public static final int FLAG_URGENT = 2;

  /** CALL kind: a method of the service, by name. */
  public static final int KIND_NAMED = 0;
  /** CALL kind: a task object (of a class on the server's allow-list). */
  public static final int KIND_TASK = 1;

  /** ERROR kind: the task threw. */
  public static final int ERROR_THREW = 0;
  /** ERROR kind: the server refused to run the call. */
  public static final int ERROR_REFUSED = 1;

  /** Replies larger than this go as FRAGMENT frames of at most this many bytes (plus a small header). */
  public static final int FRAGMENT_BYTES = 256 * 1024;
  /** The largest frame a client accepts from a server (fragments and everything else). */
  public static final int CLIENT_MAX_FRAME_BYTES = FRAGMENT_BYTES + 1024;
  /** Elements of an iterator go in batches of about this many bytes. */
  public static final int BATCH_BYTES = 64 * 1024;

  private RemoteWire() {
  }
}
