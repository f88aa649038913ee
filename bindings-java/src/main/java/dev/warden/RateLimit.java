package dev.warden;

/** One {@code ati.rate} entry of a token: at most {@code count} calls per {@code windowSeconds} for {@code pattern}. */
public record RateLimit(String pattern, long count, long windowSeconds) {}
