import KubeSim
