package dev.converge.state;

import java.util.List;

/**
 * The append-only record of every run and every action, one JSON object per line in {@code journal.jsonl}.
 * Safe to use from several threads.
 */
public interface Journal {

  /**
   * Appends {@code event} as one line and hands it to the operating system before returning, so that it survives
   * a crash of this process. When the file has grown past 10 MiB it is rotated first ({@code journal.jsonl} →
   * {@code journal.1.jsonl}, keeping three old files).
   *
   * @throws java.io.UncheckedIOException if the line cannot be written; the message names the file
   * @throws IllegalStateException if the store has been closed
   */
  void append(JournalEvent event);

  /**
   * The events in the current file (since the last rotation), oldest first. A line torn by a crash is skipped.
   */
  List<JournalEvent> read() throws StateException;
}
