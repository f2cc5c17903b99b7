// Entry point: one tRPC client for the page's origin (rebuilt when the user signs in or out), one
// query cache, then the app behind the sign-in gate.
import { createQuerylaneClient } from '@querylane/client';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { ClientSession, readStoredToken, SessionRoot } from './session.tsx';
import { createQueryClient } from './trpc/react.tsx';
import './styles/index.css';

const session = new ClientSession(() =>
  createQuerylaneClient({ url: window.location.origin, token: readStoredToken }),
);
const queryClient = createQueryClient();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <SessionRoot session={session} queryClient={queryClient}>
      <App />
    </SessionRoot>
  </StrictMode>,
);
