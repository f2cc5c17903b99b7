// Starting a run from the composer, also when the server cannot be reached: a start made while
// the socket is down waits and is sent once it is back; one the server never got says so and
// waits the same way; an error the server gave stays until the person changes something.
import { useMutation } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useConnectionStatus } from './trpc/connection.ts';
import { describeError, isUnreachable } from './trpc/errors.ts';
import { useSocketState, useTRPC } from './trpc/react.tsx';
import type { StartRunInput } from './trpc/types.ts';

export interface Waiting {
  input: StartRunInput;
  /** `offline`: not tried, the socket was down; `unreachable`: tried, the server never got it. */
  reason: 'offline' | 'unreachable';
}

export interface Started {
  runId: string;
  conversationId: string;
}

export interface StartControl {
  submit: (input: StartRunInput) => void;
  /** A start that has not been sent yet and will be once the connection is back. */
  waiting: Waiting | null;
  /** Forget the waiting start (its text stays in the editor). */
  discard: () => void;
  /** Send the waiting start now instead of waiting for the socket. */
  retryNow: () => void;
  sending: boolean;
  error: string | null;
  clearError: () => void;
}

export function useStart(onStarted: (res: Started, input: StartRunInput) => void): StartControl {
  const trpc = useTRPC();
  const status = useConnectionStatus(useSocketState());
  const start = useMutation(trpc.runs.start.mutationOptions());
  const { mutate } = start;
  const [waiting, setWaiting] = useState<Waiting | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The socket went down after the start was queued: its coming back is the signal to send.
  const dropped = useRef(false);
  const onStartedRef = useRef(onStarted);
  onStartedRef.current = onStarted;

  const send = useCallback(
    (input: StartRunInput) => {
      setError(null);
      dropped.current = false;
      mutate(input, {
        onSuccess: (res) => {
          setWaiting(null);
          onStartedRef.current(res, input);
        },
        onError: (err) => {
          if (isUnreachable(err)) {
            setWaiting({ input, reason: 'unreachable' });
          } else {
            setWaiting(null);
            setError(describeError(err));
          }
        },
      });
    },
    [mutate],
  );

  const submit = useCallback(
    (input: StartRunInput) => {
      if (status === 'connected') send(input);
      else {
        setError(null);
        dropped.current = true;
        setWaiting({ input, reason: 'offline' });
      }
    },
    [status, send],
  );

  useEffect(() => {
    if (!waiting) return;
    if (status !== 'connected') {
      dropped.current = true;
      return;
    }
    if (dropped.current && !start.isPending) send(waiting.input);
  }, [status, waiting, send, start.isPending]);

  return {
    submit,
    waiting,
    discard: useCallback(() => setWaiting(null), []),
    retryNow: useCallback(() => {
      if (waiting) send(waiting.input);
    }, [waiting, send]),
    sending: start.isPending,
    error,
    clearError: useCallback(() => setError(null), []),
  };
}
