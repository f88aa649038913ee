package dev.warden;

import dev.warden.ffi.FfiException;
import dev.warden.ffi.InternalException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/** Glue between the generated layer and the public one: error conversion and argument checks only. */
final class Native {
    private Native() {}

    @FunctionalInterface
    interface Call<T> {
        T run() throws FfiException;
    }

    @FunctionalInterface
    interface VoidCall {
        void run() throws FfiException;
    }

    /** Runs a generated call, turning every failure into a typed {@link WardenException}. */
    static <T> T call(Call<T> c) {
        try {
            return c.run();
        } catch (FfiException.Failure e) {
            throw failure(e);
        } catch (FfiException e) {
            throw convert(e);
        } catch (InternalException e) {
            // A panic caught by UniFFI (the wrapper also catches panics itself).
            throw new WardenException.Internal(null, "internal error: " + e.getMessage());
        } catch (WardenException e) {
            throw e;
        } catch (IllegalStateException e) {
            // The generated layer refuses calls on a closed handle.
            throw new WardenException.ValidationError(null, "the object was closed: " + e.getMessage());
        } catch (RuntimeException e) {
            throw lowering(e);
        }
    }

    /**
     * The generated layer encodes strings as UTF-8 and fails on a String that is not valid UTF-16
     * (a lone surrogate): that argument is bad input, {@code VALIDATION_ERROR}.
     */
    static RuntimeException lowering(RuntimeException e) {
        if (e instanceof WardenException) {
            return e;
        }
        if (e.getCause() instanceof java.nio.charset.CharacterCodingException) {
            return new WardenException.ValidationError(null, "a string argument is not valid Unicode (lone surrogate)");
        }
        return e;
    }

    /** The typed exception of a core failure, with its guard decision parsed into a map. */
    @SuppressWarnings("unchecked")
    static WardenException failure(FfiException.Failure f) {
        WardenException w = WardenException.of(f.code(), f.reason(), f.message());
        if (f.decision() != null) {
            try {
                w.withDecision((java.util.Map<String, Object>) Json.parse(f.decision()));
            } catch (RuntimeException bad) {
                w.addSuppressed(bad);
            }
        }
        return w;
    }

    /**
     * Replaces lone surrogates with U+FFFD (the input-summary rule of SEMANTICS-engine §12.3) so
     * that the text can be encoded as UTF-8; well-formed text is returned as is.
     */
    static String wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                StringBuilder b = new StringBuilder(s.length());
                for (int j = 0; j < s.length(); j++) {
                    char c = s.charAt(j);
                    if (Character.isHighSurrogate(c) && j + 1 < s.length() && Character.isLowSurrogate(s.charAt(j + 1))) {
                        b.append(c).append(s.charAt(++j));
                    } else if (Character.isSurrogate(c)) {
                        b.append('\uFFFD');
                    } else {
                        b.append(c);
                    }
                }
                return b.toString();
            }
        }
        return s;
    }

    static void run(VoidCall c) {
        call(() -> {
            c.run();
            return null;
        });
    }

    static WardenException convert(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof WardenException w) {
            return w;
        }
        if (e instanceof FfiException.Failure f) {
            return failure(f);
        }
        if (e instanceof RuntimeException r && lowering(r) instanceof WardenException w) {
            return w;
        }
        if (e instanceof InternalException) {
            return new WardenException.Internal(null, "internal error: " + e.getMessage());
        }
        return new WardenException.Internal(null, "internal error: " + e);
    }

    /** Maps a generated future's value and turns its failure into a {@link WardenException}. */
    static <A, B> CompletableFuture<B> future(CompletableFuture<A> f, Function<A, B> map) {
        CompletableFuture<B> out = new CompletableFuture<>();
        f.whenComplete((v, e) -> {
            if (e != null) {
                out.completeExceptionally(convert(e));
                return;
            }
            try {
                out.complete(map.apply(v));
            } catch (Throwable t) {
                out.completeExceptionally(convert(t));
            }
        });
        return out;
    }

    /** A null argument is a bad argument: {@code VALIDATION_ERROR}, never a NullPointerException. */
    static <T> T req(T v, String name) {
        if (v == null) {
            throw new WardenException.ValidationError(null, name + " must not be null");
        }
        return v;
    }

    static <T> java.util.List<T> reqList(java.util.List<T> v, String name) {
        req(v, name);
        for (T x : v) {
            req(x, name + " element");
        }
        return v;
    }
}
