package io.asynqueue.internal.codec;

import io.asynqueue.CodecException;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;

/**
 * An {@link Input} over one whole frame from an untrusted peer, for a {@linkplain KryoCodec#strict strict}
 * codec: every length read from the frame (of a string, an array, a collection, a map, a closure's captured
 * arguments) must fit in the bytes left in the frame, and all of them together in a budget of about twice the
 * frame's size. So a frame of n bytes can make the decoder allocate at most a small multiple of n, however its
 * lengths lie: Kryo 5.6 would otherwise allocate whatever a length says before it finds the bytes missing.
 *
 * <p>Honest data always fits: every element of every container takes at least one byte of the frame, and each
 * byte belongs to one element. The checks cost a comparison per container, none per element.
 *
 * <p>A length that does not fit fails the read with a {@link KryoException} (a {@link CodecException} from
 * {@link KryoCodec#readObject}). Only byte-array buffers are supported, as frames are read whole.
 */
public final class BoundedInput extends Input {

  private long budget;

  /** An input with no buffer yet; see {@link #setBuffer(byte[], int, int)}. */
  public BoundedInput() {
  }

  /**
   * @param buffer the frame
   * @param offset where it starts
   * @param count its length
   */
  public BoundedInput(byte[] buffer, int offset, int count) {
    super(buffer, offset, count);
  }

  /** Sets the frame to read, and the allocation budget for it. */
  @Override
  public void setBuffer(byte[] bytes, int offset, int count) {
    super.setBuffer(bytes, offset, count);
    budget = 2L * count + 1024;
  }

  /**
   * Checks a length read from the frame before anything is allocated for it: at most the bytes left, and
   * within the frame's budget.
   *
   * @param length the number of elements (or characters) about to be read
   * @throws KryoException if it cannot be honest
   */
  public void charge(long length) {
    if (length < 0 || length > limit - position || length > budget) {
      throw new KryoException("a length of " + length + " does not fit in the " + (limit - position)
          + " bytes left in the frame");
    }
    budget -= length;
  }

  /**
   * Checks a length if the input is a {@code BoundedInput}; does nothing for other inputs (a trusted channel).
   *
   * @param input the input being read
   * @param length the number of elements about to be read
   */
  public static void charge(Input input, long length) {
    if (input instanceof BoundedInput b) {
      b.charge(length);
    }
  }

  @Override
  public String readString() {
    if (position < limit && (buffer[position] & 0x80) != 0) {
      charge(peekUtf8Length() - 1L); // length + 1 is written; 0 is null, 1 is ""
    }
    return super.readString(); // an ASCII string has no length: it is read until its last byte, in the frame
  }

  @Override
  public StringBuilder readStringBuilder() {
    if (position < limit && (buffer[position] & 0x80) != 0) {
      charge(peekUtf8Length() - 1L);
    }
    return super.readStringBuilder();
  }

  // The length of a UTF-8 string as Output.writeString writes it (6 bits, then 7 per byte), without consuming
  // it; a truncated length is left for Input to report.
  private int peekUtf8Length() {
    int p = position;
    int b = buffer[p++];
    int result = b & 0x3F;
    if ((b & 0x40) != 0 && p < limit) {
      b = buffer[p++];
      result |= (b & 0x7F) << 6;
      if ((b & 0x80) != 0 && p < limit) {
        b = buffer[p++];
        result |= (b & 0x7F) << 13;
        if ((b & 0x80) != 0 && p < limit) {
          b = buffer[p++];
          result |= (b & 0x7F) << 20;
          if ((b & 0x80) != 0 && p < limit) {
            b = buffer[p];
            result |= (b & 0x7F) << 27;
          }
        }
      }
    }
    return result == 0 ? 1 : result;
  }

  @Override
  public byte[] readBytes(int length) {
    charge(length);
    return super.readBytes(length);
  }

  @Override
  public int[] readInts(int length) {
    charge(length);
    return super.readInts(length);
  }

  @Override
  public int[] readInts(int length, boolean optimizePositive) {
    charge(length);
    return super.readInts(length, optimizePositive);
  }

  @Override
  public long[] readLongs(int length) {
    charge(length);
    return super.readLongs(length);
  }

  @Override
  public long[] readLongs(int length, boolean optimizePositive) {
    charge(length);
    return super.readLongs(length, optimizePositive);
  }

  @Override
  public float[] readFloats(int length) {
    charge(length);
    return super.readFloats(length);
  }

  @Override
  public double[] readDoubles(int length) {
    charge(length);
    return super.readDoubles(length);
  }

  @Override
  public short[] readShorts(int length) {
    charge(length);
    return super.readShorts(length);
  }

  @Override
  public char[] readChars(int length) {
    charge(length);
    return super.readChars(length);
  }

  @Override
  public boolean[] readBooleans(int length) {
    charge(length);
    return super.readBooleans(length);
  }
}
