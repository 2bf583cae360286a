package dev.converge.jails;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bounded in-memory pipe between two threads: what one host's command writes, another host's command reads, without
 * the data ever being held whole. Unlike {@link java.io.PipedInputStream} it does not care which threads read and
 * write (transports hand streams to threads of their own). Closing the sink ends the stream; closing the source makes
 * further writes fail, so a sender stops when its receiver has given up.
 */
final class Pipe {

  private static final byte[] END = new byte[0];

  private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(64);
  private volatile boolean abandoned;

  /** Where the sending command's stdout goes. */
  OutputStream sink() {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (len > 0) {
          put(Arrays.copyOfRange(b, off, off + len));
        }
      }

      @Override
      public void close() throws IOException {
        put(END);
      }
    };
  }

  /** What the receiving command reads as its stdin. */
  InputStream source() {
    return new InputStream() {
      private byte[] chunk = new byte[0];
      private int at;
      private boolean ended;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        while (!ended && at == chunk.length) {
          try {
            chunk = chunks.take();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading a stream between hosts");
          }
          at = 0;
          ended = chunk == END;
        }
        if (ended) {
          return -1;
        }
        int n = Math.min(len, chunk.length - at);
        System.arraycopy(chunk, at, b, off, n);
        at += n;
        return n;
      }

      @Override
      public void close() {
        abandoned = true;
        chunks.clear();
      }
    };
  }

  private void put(byte[] chunk) throws IOException {
    try {
      while (!abandoned) {
        if (chunks.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
          return;
        }
      }
      if (chunk != END) {
        throw new IOException("the receiving host stopped reading");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while streaming between hosts");
    }
  }
}
