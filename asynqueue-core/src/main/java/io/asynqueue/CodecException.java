package io.asynqueue;


/**
 * Something could not be written to or read from the wire: a task, an argument or a result that Kryo cannot
 * serialize, or a malformed frame. The message names the class.
 */
public class CodecException extends AsynQueueException {

  private static final long serialVersionUID = 1L;

  /**
   * @param message what could not be written or read, and why
   */
  public CodecException(String message) {
    super(message);
  }

  /**
   * @param message what could not be written or read
   * @param cause the serializer's failure
   */
  public CodecException(String message, Throwable cause) {
    super(message, cause);
  }
}
