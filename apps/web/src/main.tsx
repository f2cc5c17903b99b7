// Entry point: one Querylane client for the page's origin, one query cache, then the app.
import { createQuerylaneClient } from '@querylane/client';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { ApiProvider, createQueryClient } from './trpc/react.tsx';
import './styles.css';

const client = createQuerylaneClient({ url: window.location.origin });
const queryClient = createQueryClient();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <ApiProvider client={client} queryClient={queryClient}>
      <App />
    </ApiProvider>
  </StrictMode>,
);
